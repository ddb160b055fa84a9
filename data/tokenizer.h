#pragma once
// Cell -> model input: node vector = [PE_nerf(op label; 32) | PE_nerf(node index; 32)]
// (128 numbers), or with the op one-hot ablation [one-hot(op, 32) | PE_nerf(index; 32)]
// (96 numbers, the reference's np.eye(dx)[ops]).
#include <cstdint>
#include <vector>

#include "data/cell.h"
#include "data/graph.h"

namespace nar::data {

struct TokenizerOptions {
    int op_freqs = 32;        // dx: PE frequencies for the op label (or one-hot width)
    int pos_freqs = 32;       // dp: PE frequencies for the node index (0: no position part)
    bool op_one_hot = false;  // ablation "op type one-hot"
};

int64_t cell_feature_dim(const TokenizerOptions& opt);

// Graph with num_nodes = cell.n (no padding), x = n × cell_feature_dim, edges = the
// directed adjacency (row-major order), static_feat empty.
Graph tokenize_cell(const Cell& cell, const TokenizerOptions& opt = {});

// x padded with zero rows to max_nodes (the reference's padding_for_batch, MAX_LEN 7).
std::vector<float> pad_node_features(const Graph& g, int64_t max_nodes);

// A = E + Eᵀ as a dense max_nodes × max_nodes float matrix (zero padded).
std::vector<float> dense_symmetric_adjacency(const Graph& g, int64_t max_nodes);

}  // namespace nar::data
