#pragma once
// NAS-Bench-201 cells whose `none` edges cut every path from the cell input to its
// output: the network then computes a constant, and its measured latency (~0.01 ms on
// some devices) dominates any relative loss. Latency studies exclude them by default.
#include <string>

namespace nar::data {

// True when node 3 of the cell is unreachable from node 0 over non-`none` edges.
// Throws common::Error for a malformed cell string (as nb201_ops_from_string).
bool nb201_cell_is_degenerate(const std::string& arch);

}  // namespace nar::data
