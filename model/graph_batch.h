#pragma once
// GraphBatch: B graphs padded to the largest node count N. This is the one
// input format of Predictor::forward.
#include <torch/torch.h>

#include <vector>

namespace nar::model {

struct GraphBatch {
    torch::Tensor x;    // B×N×F node features (rows of padding nodes are ignored)
    torch::Tensor adj;  // B×N×N 0/1 symmetric, no self loops, same dtype as x
    // Sparse alternative to adj (used when adj is undefined): E×3 int64 rows
    // (graph, i, j), one per nonzero A_ij (value 1; both directions given; repeats
    // count once, i == j entries are dropped). Memory
    // O(E) instead of O(B·N²): a 50,000-node network would need 10 GB dense.
    torch::Tensor edges;
    torch::Tensor mask;         // B×N, 1 real node, 0 padding, same dtype as x
    torch::Tensor static_feat;  // B×S graph-level features; undefined for accuracy

    int64_t size() const { return x.size(0); }
    GraphBatch to(const torch::Device& device) const;
    GraphBatch to(torch::Dtype dtype) const;
};

// Dense N×N symmetric adjacency (A = E + Eᵀ, clipped to 1, no self loops) from
// directed edges (E×2 int64, src,dst). Throws common::Error for out-of-range ids.
torch::Tensor adjacency_from_edges(const torch::Tensor& edges, int64_t n_nodes,
                                   torch::Dtype dtype = torch::kFloat32);

// batch.adj, or the dense B×N×N form of batch.edges (for tests and small batches).
torch::Tensor dense_adjacency(const GraphBatch& batch);

// Pads per-graph tensors into one batch: xs[i] Nᵢ×F, adjs[i] Nᵢ×Nᵢ; static_feat
// B×S or undefined. Output dtype/device follow xs[0].
GraphBatch pad_graphs(const std::vector<torch::Tensor>& xs, const std::vector<torch::Tensor>& adjs,
                      const torch::Tensor& static_feat = torch::Tensor());

}  // namespace nar::model
