#pragma once
// A network or a cell as model input: plain arrays, no LibTorch. runner/
// pads a batch of these into tensors.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nar::data {

struct Graph {
    int64_t num_nodes = 0;
    int64_t feat_dim = 0;
    std::vector<float> x;  // num_nodes × feat_dim, row-major, in the reference's node order
    // Directed edges src -> dst (node indices); the model sees A = E + Eᵀ without self loops.
    std::vector<std::pair<int64_t, int64_t>> edges;
    std::vector<float> static_feat;  // 40 (PE) or 4 (raw) for networks; empty for cells
};

// One training/test example.
struct Sample {
    Graph graph;
    double target = 0.0;  // latency in ms, or accuracy as a fraction (0..1)
    std::string group;    // family (NNLQP), device, or "" ; used for per-group breakdowns
    int64_t id = 0;       // row id / cell index in its dataset
    // Architecture-consistency partner (an isomorphic relabelling of the same cell);
    // empty graph (num_nodes == 0) when the cell has none.
    Graph augmented;
};

}  // namespace nar::data
