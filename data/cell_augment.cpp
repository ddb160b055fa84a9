#include "data/cell_augment.h"

#include <algorithm>
#include <numeric>

namespace nar::data {

Cell relabel_cell(const Cell& cell, const std::vector<int>& label) {
    Cell out = cell;
    const int n = cell.n;
    for (int a = 0; a < n; ++a) {
        out.ops[a] = cell.ops[label[a]];
        for (int b = 0; b < n; ++b) out.adj[a * n + b] = cell.adj[label[a] * n + label[b]];
    }
    return out;
}

std::optional<std::vector<int>> ac_augment_label(const Cell& cell) {
    const int n = cell.n;
    if (n < 3) return std::nullopt;
    std::vector<int> label(n);
    std::iota(label.begin(), label.end(), 0);
    // Starting from the sorted inner nodes, std::next_permutation walks the same
    // lexicographic order as itertools.permutations; the identity comes first and is
    // rejected below because it changes nothing.
    do {
        bool upper = true, changed = false;
        for (int a = 0; a < n && upper; ++a) {
            if (cell.ops[label[a]] != cell.ops[a]) changed = true;
            for (int b = 0; b < n; ++b) {
                uint8_t v = cell.adj[label[a] * n + label[b]];
                if (v && b < a) {
                    upper = false;
                    break;
                }
                if (v != cell.adj[a * n + b]) changed = true;
            }
        }
        if (upper && changed) return label;
    } while (std::next_permutation(label.begin() + 1, label.end() - 1));
    return std::nullopt;
}

std::optional<Cell> ac_augment(const Cell& cell) {
    std::optional<std::vector<int>> label = ac_augment_label(cell);
    if (!label) return std::nullopt;
    return relabel_cell(cell, *label);
}

}  // namespace nar::data
