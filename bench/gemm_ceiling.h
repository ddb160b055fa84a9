#pragma once
// The GEMM ceiling of a training step: which matrix products one step makes
// (counted with a RecordFunction observer on the aten GEMM ops, forward and
// backward, with their operand layouts; nar's own oneDNN products too), their
// FLOPs, and how fast the same library runs exactly those products on their own. The ceiling time
// is the floor of any step that does this GEMM work; ceiling_ms / step_ms is the fraction of the
// machine's limit a step reaches.
#include <torch/torch.h>

#include <functional>
#include <vector>

namespace nar::bench {

struct GemmShape {
    bool batched = false;  // bmm/baddbmm (else mm/addmm)
    bool dnnl = false;     // nar::gemm on oneDNN (model/gemm.h), else LibTorch's BLAS
    int64_t b = 1, m = 0, k = 0, n = 0;
    bool trans_a = false, trans_b = false;  // operand stored transposed
    int64_t count = 0;                      // calls per step
    double step_ms = 0;  // their calls' wall times in the counted step, summed over threads
    double flops() const { return 2.0 * b * m * k * n; }
    bool same(const GemmShape& o) const;
};

// Runs fn once with the observer on and returns the distinct GEMMs it made,
// each with the time its calls took there (against alone_ms: what the step's
// cache state and operand layouts cost). Calls on different threads overlap, so
// on several threads step_ms is thread time, not a share of the step's wall time.
std::vector<GemmShape> count_gemms(const std::function<void()>& fn);

double total_gflop(const std::vector<GemmShape>& shapes);

// LibTorch's (OpenMP) pool and OpenBLAS's own both at n threads.
void use_threads(int n);

// Best time (ms) of one call of each shape, run alone and warm. On several
// threads: the better of the library's own threading and one thread per call
// (a thread's share of count >= threads calls side by side).
std::vector<double> alone_ms(const std::vector<GemmShape>& shapes,
                             torch::Dtype dtype = torch::kFloat32);

// Best time (ms) of all the step's GEMMs run back to back in isolation, with
// the current thread setting: min over reps of each shape, times its count.
double ceiling_ms(const std::vector<GemmShape>& shapes, torch::Dtype dtype = torch::kFloat32);

}  // namespace nar::bench
