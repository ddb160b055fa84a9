#pragma once
// The grouped FFN (GFFN) of a block as one autograd Function that works group
// by group: out_g = drop(LN(drop(relu(LN(x_g·Wu[g] + bu[g]))) · Wd[g] + bd[g])).
// Per operation, each of the FFN's steps is a pass over a whole 8×T×256
// tensor (13 MB at the latency batch), between GEMMs that leave it in memory.
// Here one group's hidden block (T×256, 1.7 MB, about one core's L2 here) goes
// from its up product through the norm into its down product before the next
// group's. The input is copied group-major once (T×d blocks, each read by its
// group's up product and weight gradient as one stream: 1-1.5 ms less per
// latency step on an AVX2 EPYC, 2026-12-07), the output written in place.
// (Tiles of 256 rows, to keep every result in L2, measured
// slower on OpenBLAS: smaller GEMMs and accumulated weight gradients cost more
// than the traffic saved. On oneDNN, whose 256-row products run as fast as whole
// ones alone, they gained nothing either (2026-12-02, bench_kernels' grouped FFN,
// minima per round): tiled both ways 21.0-22.9 ms against 19.2-22.6 (3 rounds),
// the forward alone 19.1-22.0 against 19.1-21.1 (8 rounds). On an Intel VM with
// 2 MB L2 (2026-12-03), tiles of 1-4 norm chunks (235-940 rows) both ways were
// slower in 10 of 12 interleaved round pairs; the best, 3 chunks, had medians
// 30.1, 30.6, 31.4 ms against 28.0, 31.4, 31.6 whole.)
// Its GEMMs go through model/gemm.h (oneDNN where nar is built with it).
// The backward reads the saved pre-norm values and hidden; hidden ≠ 0 is also
// the up norm's ReLU-and-dropout gate, so its mask is not hashed again
// (norm_rows.h). On several threads whole groups go to each thread, each with
// one-thread GEMMs (model/group_threads.h), and nothing waits between the
// steps of a group. Masks, statistics and gradient partial sums are those of
// the per-operation path (model/norm_rows.h), which runs instead on more
// threads than groups, for bf16 products, off the CPU, or with
// NAR_COMPOSITE=ffn.
#include <torch/torch.h>

#include "model/group_linear.h"

namespace nar::model {

// x: T×D -> T×D; up: D -> D·ratio, down: D·ratio -> D, with the same groups.
// The fused Function where grouped_ffn_applies, else grouped_ffn_per_op.
torch::Tensor grouped_ffn(const torch::Tensor& x, GroupLinearImpl& up, GroupLinearImpl& down,
                          double p, bool train);
bool grouped_ffn_applies(const torch::Tensor& x, const GroupLinearImpl& up,
                         const GroupLinearImpl& down, double p, bool train);
// One GroupLinear after the other, in the group-major layout.
torch::Tensor grouped_ffn_per_op(const torch::Tensor& x, GroupLinearImpl& up, GroupLinearImpl& down,
                                 double p, bool train);

}  // namespace nar::model
