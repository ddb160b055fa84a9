#include "data/cell.h"

#include "common/error.h"

namespace nar::data {

std::string cell_target_names(const Cell& cell) {
    std::string names;
    for (const auto& kv : cell.targets) names += (names.empty() ? "" : ", ") + kv.first;
    return names;
}

double cell_target(const Cell& cell, const std::string& name) {
    auto it = cell.targets.find(name);
    if (it == cell.targets.end())
        throw common::Error("unknown target '" + name + "' for cell " + cell.arch +
                            "; valid targets: " + cell_target_names(cell));
    return it->second;
}

void check_cell(const Cell& cell, int num_labels, const std::string& where) {
    auto bad = [&](const std::string& what) { throw common::Error(where + ": " + what); };
    if (cell.n < 2)
        bad("a cell needs at least 2 nodes (input and output), got " + std::to_string(cell.n));
    if (static_cast<int>(cell.ops.size()) != cell.n)
        bad(std::to_string(cell.ops.size()) + " ops for " + std::to_string(cell.n) + " nodes");
    if (cell.adj.size() != static_cast<size_t>(cell.n) * cell.n)
        bad("adjacency has " + std::to_string(cell.adj.size()) + " entries, expected " +
            std::to_string(cell.n * cell.n));
    for (int op : cell.ops)
        if (op < 0 || op >= num_labels) bad("op label " + std::to_string(op) + " out of range");
    for (int i = 0; i < cell.n; ++i)
        for (int j = 0; j < cell.n; ++j) {
            uint8_t a = cell.adj[i * cell.n + j];
            if (a > 1) bad("adjacency entries must be 0 or 1");
            if (a && j <= i)
                bad("adjacency is not upper triangular (edge " + std::to_string(i) + " -> " +
                    std::to_string(j) + ")");
        }
}

}  // namespace nar::data
