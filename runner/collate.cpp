#include "runner/collate.h"

#include <algorithm>

#include "common/error.h"

namespace nar::runner {

namespace {

template <typename T>
model::GraphBatch fill(const std::vector<const data::Graph*>& graphs, torch::Dtype dtype) {
    const int64_t b = static_cast<int64_t>(graphs.size());
    int64_t n = 1;
    for (auto* g : graphs) n = std::max(n, g->num_nodes);
    const int64_t f = graphs[0]->feat_dim;
    const int64_t s = static_cast<int64_t>(graphs[0]->static_feat.size());
    auto opts = torch::TensorOptions().dtype(dtype);
    model::GraphBatch batch;
    batch.x = torch::zeros({b, n, f}, opts);
    batch.mask = torch::zeros({b, n}, opts);
    T* x = batch.x.data_ptr<T>();
    T* mask = batch.mask.data_ptr<T>();
    // Sparse adjacency (graph, i, j), both directions: a dense B×N×N one would
    // take 10 GB for one 50,000-node network.
    size_t n_edges = 0;
    for (auto* g : graphs) n_edges += g->edges.size();
    std::vector<int64_t> edges;
    edges.reserve(6 * n_edges);
    for (int64_t i = 0; i < b; ++i) {
        const data::Graph& g = *graphs[static_cast<size_t>(i)];
        if (g.feat_dim != f || static_cast<int64_t>(g.static_feat.size()) != s) {
            throw common::Error("cannot batch graphs with different feature sizes (" +
                                std::to_string(g.feat_dim) + " vs " + std::to_string(f) + ")");
        }
        if (static_cast<int64_t>(g.x.size()) != g.num_nodes * f) {
            throw common::Error("graph with " + std::to_string(g.num_nodes) +
                                " nodes has a feature array of the wrong size");
        }
        T* xi = x + i * n * f;
        for (int64_t k = 0; k < g.num_nodes * f; ++k) xi[k] = static_cast<T>(g.x[k]);
        for (int64_t k = 0; k < g.num_nodes; ++k) mask[i * n + k] = 1;
        for (auto [src, dst] : g.edges) {
            if (src < 0 || dst < 0 || src >= g.num_nodes || dst >= g.num_nodes) {
                throw common::Error("graph edge (" + std::to_string(src) + ", " +
                                    std::to_string(dst) + ") is out of range");
            }
            if (src == dst) continue;  // the model's adjacency has no self loops
            edges.insert(edges.end(), {i, src, dst, i, dst, src});
        }
    }
    batch.edges =
        torch::from_blob(edges.data(), {static_cast<int64_t>(edges.size() / 3), 3}, torch::kInt64)
            .clone();
    if (s > 0) {
        batch.static_feat = torch::zeros({b, s}, opts);
        T* st = batch.static_feat.data_ptr<T>();
        for (int64_t i = 0; i < b; ++i) {
            for (int64_t k = 0; k < s; ++k) {
                st[i * s + k] = static_cast<T>(graphs[static_cast<size_t>(i)]->static_feat[k]);
            }
        }
    }
    return batch;
}

}  // namespace

model::GraphBatch collate(const std::vector<const data::Graph*>& graphs, torch::Dtype dtype,
                          const torch::Device& device) {
    if (graphs.empty()) throw common::Error("cannot batch zero graphs");
    model::GraphBatch batch = dtype == torch::kFloat64 ? fill<double>(graphs, dtype)
                                                       : fill<float>(graphs, torch::kFloat32);
    return device.is_cpu() ? batch : batch.to(device);
}

}  // namespace nar::runner
