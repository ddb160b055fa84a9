#pragma once
// PackedGraph: the internal working form of a GraphBatch. Per-node operations
// (all the Linears, LayerNorms, FFNs) run on the T real nodes only, stacked as
// T×F rows, so padding costs nothing there. Local attention and GraphSAGE run
// on the edge list (2E entries instead of B·N² dense scores); only global
// attention uses the padded B×N×N form. Padded nodes never appear in `index`,
// in the edge list, in degrees or in readouts, so results equal graph-by-graph
// processing.
#include <torch/torch.h>

#include "model/graph_batch.h"

namespace nar::model {

struct PackedGraph {
    int64_t batch = 0;      // B
    int64_t max_nodes = 0;  // N
    torch::Tensor index;    // T int64: flat position b*N+i of each real node
    torch::Tensor graph;    // T int64: graph id of each real node
    torch::Tensor counts;   // B: real nodes per graph (x's dtype)
    torch::Tensor dst;      // E int64: receiving node (row i of A), packed id
    torch::Tensor src;      // E int64: sending node (column j of A), packed id
    torch::Tensor weight;   // E: A_ij (x's dtype)
    torch::Tensor degree;   // T×1: Σ_j A_ij over real neighbours (x's dtype)
    // CSR views of the edge list for the fused CPU kernels (undefined off the CPU):
    // edges are sorted by dst, row i's are [row_ptr[i], row_ptr[i+1]); by_src lists
    // edge ids grouped by src, node j's at [src_ptr[j], src_ptr[j+1]).
    torch::Tensor row_ptr, src_ptr, by_src;  // T+1, T+1, E int64

    static PackedGraph build(const GraphBatch& batch);

    int64_t nodes() const { return index.size(0); }
    torch::Tensor unpad(const torch::Tensor& padded) const;  // B×N×F -> T×F
    torch::Tensor pad(const torch::Tensor& packed) const;    // T×F -> B×N×F (zeros)
    torch::Tensor sum(const torch::Tensor& packed) const;    // T×F -> B×F
    torch::Tensor mean(const torch::Tensor& packed) const;   // T×F -> B×F
};

}  // namespace nar::model
