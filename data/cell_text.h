#pragma once
// Cells given as text, one per line ('#' comments and blank lines skipped):
// NAS-Bench-201 cell strings ("|nor_conv_3x3~0|+|...|"), or NAS-Bench-101
// "<adjacency 0/1 digits, row-major> <op,op,...>". Errors name file:line.
#include <string>
#include <vector>

#include "data/cell.h"

namespace nar::data {

// benchmark: "nb201" or "nb101".
std::vector<Cell> read_cells_file(const std::string& path, const std::string& benchmark);

}  // namespace nar::data
