#pragma once
// BLAS kernel selection (issue 13). OpenBLAS picks its kernels from the CPU
// model when it is loaded; on CPUs newer than the library it falls back to a
// generic core (e.g. Prescott, SSE3) that runs sgemm 3-4x slower than the
// AVX-512 kernels the CPU supports. The only way to change the choice is
// OPENBLAS_CORETYPE at load time, so nar re-executes itself once with it set.
// This file holds the pure parts (decision, self-check); blas_startup.h the
// start-up hook that reads the environment and re-executes.
#include <string>

namespace nar::common {

struct CpuFeatures {
    bool avx = false, avx2 = false, fma = false;
    bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
    bool avx512_bf16 = false;
};

// cpuid + xgetbv (the OS must also save the wide registers). All false off x86-64.
CpuFeatures read_cpu_features();

enum class BlasMode { Auto, Keep, Named };

struct BlasRequest {
    BlasMode mode = BlasMode::Auto;
    std::string name;          // Named: the core asked for (any case)
    std::string env_coretype;  // OPENBLAS_CORETYPE as found; "" when unset
    std::string marker;        // NAR_BLAS_CORE as found; "" when unset (see blas_startup.h)
};

struct BlasDecision {
    bool reexec = false;
    std::string core;    // OPENBLAS_CORETYPE value to re-execute with (upper case)
    std::string reason;  // one phrase for the start log
};

// Parses a --blas-core value: auto, keep or a core name this CPU can run.
// Throws common::Error naming the value and why it is refused.
BlasRequest parse_blas_core_option(const std::string& value, const CpuFeatures& cpu);

// The best OpenBLAS core for these features ("" when none beats the default):
// COOPERLAKE (AVX-512 F/BW/DQ/VL + BF16), SKYLAKEX (AVX-512 F/BW/DQ/VL),
// HASWELL (AVX2 + FMA).
std::string best_blas_core(const CpuFeatures& cpu);

// What to do given the CPU, OpenBLAS's own pick (openblas_get_corename) and the
// request. A user's OPENBLAS_CORETYPE always wins; a set marker (we already
// re-executed) never leads to another re-exec.
BlasDecision decide_blas_core(const CpuFeatures& cpu, const std::string& corename,
                              const BlasRequest& request);

// After a failed self-check: true when the kernel was nar's choice (the marker
// names the core in OPENBLAS_CORETYPE), so re-executing without it falls back
// to OpenBLAS's default. A user's choice is kept (and warned about).
bool fallback_after_failed_check(const BlasRequest& request);

// Row-major C[m×n] = A[m×k]·B[k×n]. The self-check calls the real sgemm
// through this; tests pass stubs.
using SgemmFn = void (*)(int m, int n, int k, const float* a, const float* b, float* c);

struct BlasCheck {
    bool ok = false;
    double worst = 0;  // largest |c - ref| / Σ_k |a_ik·b_kj| over all entries
};

// A few small odd-shaped products (edge kernels included) against a plain
// double-precision loop; ok when every entry is within 1e-5 relative.
BlasCheck blas_self_check(SgemmFn sgemm);

}  // namespace nar::common
