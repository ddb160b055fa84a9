#include "model/packed_graph.h"

#include <string>

#include "common/error.h"

namespace nar::model {

using common::Error;

PackedGraph PackedGraph::build(const GraphBatch& batch) {
    const auto& x = batch.x;
    if (!x.defined() || x.dim() != 3) throw Error("GraphBatch: x must be B×N×F");
    const int64_t b = x.size(0), n = x.size(1);
    if (!batch.mask.defined() || batch.mask.dim() != 2 || batch.mask.size(0) != b ||
        batch.mask.size(1) != n) {
        throw Error("GraphBatch: mask must be B×N = " + std::to_string(b) + "×" +
                    std::to_string(n));
    }
    const bool dense = batch.adj.defined();
    if (dense && (batch.adj.dim() != 3 || batch.adj.size(0) != b || batch.adj.size(1) != n ||
                  batch.adj.size(2) != n)) {
        throw Error("GraphBatch: adj must be B×N×N = " + std::to_string(b) + "×" +
                    std::to_string(n) + "×" + std::to_string(n));
    }
    if (!dense && (!batch.edges.defined() || batch.edges.dim() != 2 || batch.edges.size(1) != 3 ||
                   batch.edges.scalar_type() != torch::kInt64)) {
        throw Error("GraphBatch: give adj (B×N×N) or edges (E×3 int64)");
    }
    PackedGraph g;
    g.batch = b;
    g.max_nodes = n;
    const auto long_opts = torch::TensorOptions().dtype(torch::kInt64).device(x.device());
    const auto real = batch.mask.reshape({b * n}) != 0;
    g.index = real.nonzero().reshape({-1});
    g.graph = torch::div(g.index, n, "floor");
    g.counts = batch.mask.to(x.dtype()).sum(1);

    // packed id of every flat position (-1 for padding)
    auto pos = torch::full({b * n}, -1, long_opts);
    pos.index_put_({g.index}, torch::arange(g.index.size(0), long_opts));

    // Edges; those touching padding are dropped, so a dirty adj cannot leak in.
    torch::Tensor bi, ii, jj, w;
    if (dense) {
        const auto adj = batch.adj.to(x.dtype());
        const auto nz = (adj != 0).nonzero();  // E×3 (b, i, j)
        bi = nz.select(1, 0), ii = nz.select(1, 1), jj = nz.select(1, 2);
        w = adj.reshape({-1}).index_select(0, (bi * n + ii) * n + jj);
    } else {
        // The dense path's order (row-major nonzero) without the dense tensor: sorted,
        // deduplicated flat keys, so sums over edges run in the same order.
        const auto e = batch.edges.to(x.device());
        if (e.size(0) > 0 &&
            ((e.min().item<int64_t>() < 0) || (e.select(1, 0).max().item<int64_t>() >= b) ||
             (e.narrow(1, 1, 2).max().item<int64_t>() >= n))) {
            throw Error("GraphBatch: edge index out of range");
        }
        const auto loops = e.select(1, 1) == e.select(1, 2);  // A has no self loops
        const auto kept = loops.any().item<bool>() ? e.index({~loops}) : e;
        const auto key = std::get<0>(torch::_unique(
            (kept.select(1, 0) * n + kept.select(1, 1)) * n + kept.select(1, 2), /*sorted=*/true));
        jj = key.remainder(n);
        ii = torch::div(key, n, "floor").remainder(n);
        bi = torch::div(key, n * n, "floor");
        w = torch::ones({key.size(0)}, x.options());
    }
    auto dst = pos.index_select(0, bi * n + ii);
    auto src = pos.index_select(0, bi * n + jj);
    const auto keep = ((dst >= 0) & (src >= 0)).nonzero().reshape({-1});
    if (keep.size(0) != dst.size(0)) {
        dst = dst.index_select(0, keep);
        src = src.index_select(0, keep);
        w = w.index_select(0, keep);
    }
    g.dst = dst;
    g.src = src;
    g.weight = w;
    g.degree = torch::zeros({g.index.size(0)}, x.options()).index_add(0, dst, w).unsqueeze(1);
    // Both edge forms come out sorted by dst (row-major over flat positions).
    const int64_t e_count = dst.size(0), t = g.index.size(0);
    const bool sorted =
        e_count < 2 ||
        (dst.narrow(0, 1, e_count - 1) >= dst.narrow(0, 0, e_count - 1)).all().item<bool>();
    if (x.is_cpu() && sorted) {
        const auto ptr = [&](const torch::Tensor& ids) {
            return torch::cat(
                {torch::zeros({1}, long_opts), torch::bincount(ids, {}, t).cumsum(0)});
        };
        g.row_ptr = ptr(dst);
        g.src_ptr = ptr(src);
        g.by_src = std::get<1>(src.sort(/*stable=*/true, 0, false)).contiguous();
        g.dst = g.dst.contiguous();
        g.src = g.src.contiguous();
    }
    return g;
}

torch::Tensor PackedGraph::unpad(const torch::Tensor& padded) const {
    return padded.reshape({batch * max_nodes, padded.size(-1)}).index_select(0, index);
}

torch::Tensor PackedGraph::pad(const torch::Tensor& packed) const {
    const int64_t f = packed.size(1);
    return torch::zeros({batch * max_nodes, f}, packed.options())
        .index_copy(0, index, packed)
        .view({batch, max_nodes, f});
}

torch::Tensor PackedGraph::sum(const torch::Tensor& packed) const {
    return torch::zeros({batch, packed.size(1)}, packed.options()).index_add(0, graph, packed);
}

torch::Tensor PackedGraph::mean(const torch::Tensor& packed) const {
    return sum(packed) / counts.to(packed.dtype()).clamp_min(1).unsqueeze(1);
}

}  // namespace nar::model
