#pragma once
// Local graph-aided attention over the edge list as one CPU kernel (model.md
// §1): for node i, score_e = w_e·scale·<s_i, s_j> over its edges e = (i, j),
// p_e = score_e / (Σ_row score + 1e-6), out_i = Σ_e p_e·x_j. The composite
// (index_select, mul, sum, index_add; the same again in the backward) moves
// several E×d tensors through memory per layer; this walks the CSR rows of
// PackedGraph instead, with a hand-written backward. Off the CPU, or for other
// dtypes, it is the composite.
#include <torch/torch.h>

#include "model/packed_graph.h"

namespace nar::model {

torch::Tensor edge_attention(const torch::Tensor& s, const torch::Tensor& x, const PackedGraph& g,
                             double scale);

// The composite reference.
torch::Tensor edge_attention_reference(const torch::Tensor& s, const torch::Tensor& x,
                                       const PackedGraph& g, double scale);

}  // namespace nar::model
