#include "data/tokenizer.h"

#include <algorithm>

#include "common/error.h"
#include "data/pe_nerf.h"

namespace nar::data {
namespace {

// Op labels and node indices are small integers, so their PE_nerf(·; 32) codes are the
// same in every cell: computed once (the full NAS-Bench-101 space has 423,624 cells).
constexpr int kCachedValues = 64;

void small_int_code(int v, int k, float* out) {
    static const std::vector<float> table = [] {
        std::vector<float> t(kCachedValues * 64);
        for (int i = 0; i < kCachedValues; ++i) pe_nerf(static_cast<float>(i), 32, &t[i * 64]);
        return t;
    }();
    if (k == 32 && v >= 0 && v < kCachedValues) {
        std::copy_n(&table[v * 64], 64, out);
    } else {
        pe_nerf(static_cast<float>(v), k, out);
    }
}

}  // namespace

int64_t cell_feature_dim(const TokenizerOptions& opt) {
    return (opt.op_one_hot ? opt.op_freqs : 2 * opt.op_freqs) + 2 * opt.pos_freqs;
}

Graph tokenize_cell(const Cell& cell, const TokenizerOptions& opt) {
    if (opt.op_freqs < 1 || opt.pos_freqs < 0)
        throw common::Error("tokenizer: op_freqs must be >= 1 and pos_freqs >= 0");
    Graph g;
    g.num_nodes = cell.n;
    g.feat_dim = cell_feature_dim(opt);
    g.x.assign(static_cast<size_t>(g.num_nodes * g.feat_dim), 0.0f);
    const int op_width = opt.op_one_hot ? opt.op_freqs : 2 * opt.op_freqs;
    for (int i = 0; i < cell.n; ++i) {
        float* row = g.x.data() + static_cast<size_t>(i) * g.feat_dim;
        const int op = cell.ops.at(i);
        if (opt.op_one_hot) {
            if (op < 0 || op >= opt.op_freqs)
                throw common::Error("tokenizer: op label " + std::to_string(op) +
                                    " does not fit a one-hot of width " +
                                    std::to_string(opt.op_freqs) + " (cell " + cell.arch + ")");
            row[op] = 1.0f;
        } else {
            small_int_code(op, opt.op_freqs, row);
        }
        if (opt.pos_freqs > 0) small_int_code(i, opt.pos_freqs, row + op_width);
    }
    for (int i = 0; i < cell.n; ++i)
        for (int j = 0; j < cell.n; ++j)
            if (cell.adj.at(static_cast<size_t>(i) * cell.n + j)) g.edges.emplace_back(i, j);
    return g;
}

std::vector<float> pad_node_features(const Graph& g, int64_t max_nodes) {
    if (g.num_nodes > max_nodes)
        throw common::Error("cannot pad a graph of " + std::to_string(g.num_nodes) + " nodes to " +
                            std::to_string(max_nodes));
    std::vector<float> out(static_cast<size_t>(max_nodes * g.feat_dim), 0.0f);
    std::copy(g.x.begin(), g.x.end(), out.begin());
    return out;
}

std::vector<float> dense_symmetric_adjacency(const Graph& g, int64_t max_nodes) {
    if (g.num_nodes > max_nodes)
        throw common::Error("cannot pad a graph of " + std::to_string(g.num_nodes) + " nodes to " +
                            std::to_string(max_nodes));
    std::vector<float> a(static_cast<size_t>(max_nodes * max_nodes), 0.0f);
    for (auto [s, d] : g.edges) {
        if (s == d) continue;  // the model's A has no self loops
        a[s * max_nodes + d] = 1.0f;
        a[d * max_nodes + s] = 1.0f;
    }
    return a;
}

}  // namespace nar::data
