#include "model/graph_batch.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace nar::model {

using common::Error;

GraphBatch GraphBatch::to(const torch::Device& device) const {
    GraphBatch b;
    b.x = x.to(device);
    if (adj.defined()) b.adj = adj.to(device);
    if (edges.defined()) b.edges = edges.to(device);
    b.mask = mask.to(device);
    if (static_feat.defined()) b.static_feat = static_feat.to(device);
    return b;
}

GraphBatch GraphBatch::to(torch::Dtype dtype) const {
    GraphBatch b;
    b.x = x.to(dtype);
    if (adj.defined()) b.adj = adj.to(dtype);
    b.edges = edges;  // indices keep int64
    b.mask = mask.to(dtype);
    if (static_feat.defined()) b.static_feat = static_feat.to(dtype);
    return b;
}

torch::Tensor adjacency_from_edges(const torch::Tensor& edges, int64_t n_nodes,
                                   torch::Dtype dtype) {
    if (edges.dim() != 2 || (edges.size(0) > 0 && edges.size(1) != 2)) {
        throw Error("adjacency_from_edges: edges must be E×2, got " + std::to_string(edges.dim()) +
                    "-d");
    }
    auto a = torch::zeros({n_nodes, n_nodes}, torch::TensorOptions().dtype(dtype));
    if (edges.size(0) == 0) return a;
    auto e = edges.to(torch::kCPU, torch::kInt64).contiguous();
    if (e.min().item<int64_t>() < 0 || e.max().item<int64_t>() >= n_nodes) {
        throw Error("adjacency_from_edges: edge node id out of range [0, " +
                    std::to_string(n_nodes) + ")");
    }
    auto src = e.select(1, 0);
    auto dst = e.select(1, 1);
    a.index_put_({src, dst}, torch::ones({e.size(0)}, a.options()));
    a.index_put_({dst, src}, torch::ones({e.size(0)}, a.options()));
    a.fill_diagonal_(0);
    return a;
}

torch::Tensor dense_adjacency(const GraphBatch& batch) {
    if (batch.adj.defined()) return batch.adj;
    const int64_t b = batch.x.size(0), n = batch.x.size(1);
    auto adj = torch::zeros({b * n * n}, batch.x.options());
    if (batch.edges.defined() && batch.edges.size(0) > 0) {
        const auto e = batch.edges.to(batch.x.device());
        const auto keep = e.select(1, 1) != e.select(1, 2);
        const auto k = e.index({keep});
        adj.index_fill_(0, (k.select(1, 0) * n + k.select(1, 1)) * n + k.select(1, 2), 1);
    }
    return adj.view({b, n, n});
}

GraphBatch pad_graphs(const std::vector<torch::Tensor>& xs, const std::vector<torch::Tensor>& adjs,
                      const torch::Tensor& static_feat) {
    if (xs.empty()) throw Error("pad_graphs: empty batch");
    if (xs.size() != adjs.size()) throw Error("pad_graphs: xs and adjs differ in length");
    const int64_t b = static_cast<int64_t>(xs.size());
    const int64_t f = xs[0].size(1);
    int64_t n = 0;
    for (const auto& x : xs) n = std::max(n, x.size(0));
    auto opts = xs[0].options();
    GraphBatch out;
    out.x = torch::zeros({b, n, f}, opts);
    out.adj = torch::zeros({b, n, n}, opts);
    out.mask = torch::zeros({b, n}, opts);
    for (int64_t i = 0; i < b; ++i) {
        const int64_t ni = xs[i].size(0);
        if (xs[i].dim() != 2 || xs[i].size(1) != f) {
            throw Error("pad_graphs: graph " + std::to_string(i) +
                        " has a feature width != " + std::to_string(f));
        }
        if (adjs[i].dim() != 2 || adjs[i].size(0) != ni || adjs[i].size(1) != ni) {
            throw Error("pad_graphs: graph " + std::to_string(i) + " adjacency is not " +
                        std::to_string(ni) + "x" + std::to_string(ni));
        }
        out.x[i].narrow(0, 0, ni).copy_(xs[i]);
        out.adj[i].narrow(0, 0, ni).narrow(1, 0, ni).copy_(adjs[i]);
        out.mask[i].narrow(0, 0, ni).fill_(1);
    }
    if (static_feat.defined()) {
        if (static_feat.dim() != 2 || static_feat.size(0) != b) {
            throw Error("pad_graphs: static features must be B×S with B=" + std::to_string(b));
        }
        out.static_feat = static_feat.to(opts);
    }
    return out;
}

}  // namespace nar::model
