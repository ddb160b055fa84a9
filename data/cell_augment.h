#pragma once
// Architecture-consistency augmentation (the reference's ac_aug_generate): an
// isomorphic relabelling of a cell's inner nodes.
#include <optional>
#include <vector>

#include "data/cell.h"

namespace nar::data {

// Tries the permutations of the inner nodes 1..n−2 in itertools.permutations
// (lexicographic) order, label = [0, perm..., n−1], and returns the first label for which
// adj_aug[a][b] = adj[label[a]][label[b]] stays upper triangular and adj_aug or
// ops_aug (ops_aug[k] = ops[label[k]]) differs from the input. nullopt when none does.
std::optional<std::vector<int>> ac_augment_label(const Cell& cell);

// The relabelled cell (index, arch and targets copied), or nullopt.
std::optional<Cell> ac_augment(const Cell& cell);

// The relabelling itself (label as above).
Cell relabel_cell(const Cell& cell, const std::vector<int>& label);

}  // namespace nar::data
