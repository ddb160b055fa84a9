#pragma once
// A NAS-Bench cell: operations on nodes, a directed upper-triangular adjacency,
// and the measured targets addressed by name.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nar::data {

struct Cell {
    int64_t index = 0;         // NB201: benchmark index; NB101: position in the loaded list
    std::vector<int> ops;      // op label per node (features.md tables)
    int n = 0;                 // number of nodes
    std::vector<uint8_t> adj;  // n×n row-major, adj[i*n+j] = 1 for an edge i -> j (i < j)
    std::string arch;          // NB201 cell string, NB101 module hash
    // "accuracy:cifar10" (fraction), "latency:pixel3" (ms), "accuracy:validation", ...
    std::map<std::string, double> targets;
};

// The named target; throws common::Error listing the valid names when unknown.
double cell_target(const Cell& cell, const std::string& name);

// "a, b, c": the target names a cell carries (for error messages and --help).
std::string cell_target_names(const Cell& cell);

// Throws common::Error (naming `where`) unless ops/adj sizes match n, labels lie in
// [0, num_labels) and adj is 0/1 and strictly upper triangular.
void check_cell(const Cell& cell, int num_labels, const std::string& where);

}  // namespace nar::data
