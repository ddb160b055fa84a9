#include "model/gemm.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <omp.h>
#include <pthread.h>

#include <csignal>
#include <sstream>

#include "common/error.h"
#include "model/fused_kernels.h"

#ifdef NAR_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

namespace nar::model {

namespace {

#ifdef NAR_HAVE_DNNL
// A matrix operand as BLAS sees it: row-major with leading dimension ld, or
// the transpose of one. Size-1 dimensions have arbitrary strides in LibTorch.
struct Operand {
    bool ok = false;
    char trans = 'N';
    int64_t ld = 0;
};

Operand operand_of(const torch::Tensor& t) {
    const int64_t r = t.size(0), c = t.size(1), s0 = t.stride(0), s1 = t.stride(1);
    if ((s1 == 1 || c == 1) && s0 >= std::max<int64_t>(c, 1)) return {true, 'N', s0};
    if (r == 1 && (s1 == 1 || c == 1)) return {true, 'N', std::max<int64_t>(c, 1)};
    if ((s0 == 1 || r == 1) && s1 >= std::max<int64_t>(r, 1)) return {true, 'T', s1};
    if (c == 1 && s0 == 1) return {true, 'T', std::max<int64_t>(r, 1)};
    return {};
}

// nar's stop signals (SIGTERM, SIGUSR1; runner/signals.*) are held while a
// thread is in oneDNN's sgemm. Delivered there, they corrupted the heap: the
// SIGTERM sweep test (tests/integration/real_sweep_faults.sh) aborted in 3 of
// 26 runs with "corrupted size vs. prev_size" in a free inside dnnl_sgemm, and
// in 0 of 60 with the signals held (0 of 20 with OpenBLAS). Why, we could not
// find: a standalone loop of 25 million dnnl_sgemm calls took 190,000 signals
// without harm. Held, a signal waits at most one product.
sigset_t stop_signals() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGUSR1);
    return s;
}

struct SignalsHeld {
    sigset_t old;
    SignalsHeld() {
        const sigset_t s = stop_signals();
        pthread_sigmask(SIG_BLOCK, &s, &old);
    }
    ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &old, nullptr); }
};

// oneDNN runs a product on more than one thread in LibTorch's OpenMP pool:
// its worker threads (not the caller) hold the stop signals for good, so the
// caller or MPI's threads take them. libgomp keeps its workers; a larger pool
// has new ones, so this runs again when the thread count grows.
void hold_signals_in_workers() {
    if (at::in_parallel_region()) return;  // this thread is a worker, or runs alone
    static int held_for = 1;
    const int n = at::get_num_threads();
    if (n <= held_for) return;
#pragma omp parallel num_threads(n)
    {
        if (omp_get_thread_num() != 0) {
            const sigset_t s = stop_signals();
            pthread_sigmask(SIG_BLOCK, &s, nullptr);
        }
    }
    held_for = n;
}
#endif

void check(const torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b) {
    if (a.dim() != 2 || b.dim() != 2 || c.dim() != 2 || a.size(1) != b.size(0) ||
        c.size(0) != a.size(0) || c.size(1) != b.size(1)) {
        std::ostringstream m;
        m << "gemm: " << a.sizes() << " x " << b.sizes() << " does not multiply into " << c.sizes();
        throw common::Error(m.str());
    }
}

}  // namespace

bool built_with_dnnl() {
#ifdef NAR_HAVE_DNNL
    return true;
#else
    return false;
#endif
}

bool gemm_uses_dnnl(const torch::Tensor& a) {
    return built_with_dnnl() && a.scalar_type() == torch::kFloat32 && a.is_cpu() &&
           fused_enabled(Kernel::Gemm);
}

#ifdef NAR_HAVE_DNNL
namespace {

// One dnnl_sgemm call on the calling thread's share of the pool (all of it
// outside a parallel region, one thread inside one).
void dnnl_product(torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b, float beta) {
    const Operand oa = operand_of(a), ob = operand_of(b);
    const auto status =
        dnnl_sgemm(oa.trans, ob.trans, a.size(0), b.size(1), a.size(1), 1.0f, a.data_ptr<float>(),
                   oa.ld, b.data_ptr<float>(), ob.ld, beta, c.data_ptr<float>(), c.stride(0));
    if (status != dnnl_success) {
        throw common::Error("gemm: oneDNN sgemm failed (status " +
                            std::to_string(static_cast<int>(status)) + ")");
    }
}

// How many one-thread products to split c into (1: oneDNN threads it). On 2
// threads oneDNN 2.6 ran products with a transposed B (every linear's forward)
// 0.7-1.7x as fast as on one, small ones 1.3-1.5x; split in halves of c, one
// per thread, they ran 1.7-2.0x as fast (once 1.0x), products of other layouts
// as fast as oneDNN's own (3 runs of the step's shapes, best of 100 calls each,
// 2026-12-02, AMD EPYC). Blocks keep at least kMinBlock rows or columns.
constexpr int64_t kMinBlock = 16;
constexpr double kSmallFlops = 16e6;

int split_parts(const torch::Tensor& c, const torch::Tensor& a, char trans_b) {
    const int threads = at::get_num_threads();
    if (threads <= 1 || at::in_parallel_region()) return 1;
    const double flops = 2.0 * c.size(0) * c.size(1) * a.size(1);
    if (trans_b != 'T' && flops >= kSmallFlops) return 1;
    const int64_t len = std::max(c.size(0), c.size(1));
    return static_cast<int>(std::min<int64_t>(threads, len / kMinBlock));
}

}  // namespace
#endif

void gemm_out(torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b, float beta) {
    check(c, a, b);
    const bool same = a.scalar_type() == c.scalar_type() && b.scalar_type() == c.scalar_type();
#ifdef NAR_HAVE_DNNL
    if (same && gemm_uses_dnnl(a) && b.is_cpu() && c.is_cpu() && a.numel() > 0 && b.numel() > 0 &&
        c.stride(1) == 1 && c.stride(0) >= std::max<int64_t>(c.size(1), 1)) {
        const Operand oa = operand_of(a), ob = operand_of(b);
        if (oa.ok && ob.ok) {
            // Named so the benchmarks' GEMM counter and the op profile see it.
            RECORD_FUNCTION("nar::gemm", std::vector<c10::IValue>({a, b}));
            hold_signals_in_workers();
            const int parts = split_parts(c, a, ob.trans);
            if (parts <= 1) {
                const SignalsHeld held;
                dnnl_product(c, a, b, beta);
                return;
            }
            // Blocks of c's rows (with a's) or columns (with b's), whichever is longer.
            const bool rows = c.size(0) >= c.size(1);
            const int64_t len = rows ? c.size(0) : c.size(1);
            at::parallel_for(0, parts, 1, [&](int64_t lo, int64_t hi) {
                const SignalsHeld held;
                for (int64_t p = lo; p < hi; ++p) {
                    const int64_t s0 = p * len / parts, n = (p + 1) * len / parts - s0;
                    auto cp = c.narrow(rows ? 0 : 1, s0, n);
                    dnnl_product(cp, rows ? a.narrow(0, s0, n) : a, rows ? b : b.narrow(1, s0, n),
                                 beta);
                }
            });
            return;
        }
    }
#endif
    if (!same) throw common::Error("gemm: operands of different dtypes");
    if (beta == 0) {
        at::mm_out(c, a, b);
    } else {
        c.addmm_(a, b, beta);
    }
}

std::string gemm_library() {
#ifdef NAR_HAVE_DNNL
    if (fused_enabled(Kernel::Gemm)) {
        const dnnl_version_t* v = dnnl_version();
        return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
               std::to_string(v->patch);
    }
#endif
    return "BLAS";
}

torch::Tensor gemm(const torch::Tensor& a, const torch::Tensor& b) {
    auto c = torch::empty({a.size(0), b.size(1)}, a.options());
    gemm_out(c, a, b);
    return c;
}

}  // namespace nar::model
