// BLAS kernel selection: the pure decision with fake CPUs and fake OpenBLAS
// picks, the self-check against stub kernels, and cpuid against /proc/cpuinfo.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/blas_core.h"
#include "common/error.h"

using namespace nar::common;

namespace {

CpuFeatures sse_only() { return {}; }
CpuFeatures avx2_fma() {
    CpuFeatures c;
    c.avx = c.avx2 = c.fma = true;
    return c;
}
CpuFeatures avx512() {
    CpuFeatures c = avx2_fma();
    c.avx512f = c.avx512bw = c.avx512dq = c.avx512vl = true;
    return c;
}
CpuFeatures avx512_bf16() {
    CpuFeatures c = avx512();
    c.avx512_bf16 = true;
    return c;
}

BlasDecision auto_decision(const CpuFeatures& cpu, const std::string& corename) {
    return decide_blas_core(cpu, corename, BlasRequest{});
}

}  // namespace

TEST(BlasCore, GenericCoreIsReplacedByTheBestSupported) {
    const auto bf16 = auto_decision(avx512_bf16(), "Prescott");
    EXPECT_TRUE(bf16.reexec);
    EXPECT_EQ(bf16.core, "COOPERLAKE");
    const auto skx = auto_decision(avx512(), "Prescott");
    EXPECT_TRUE(skx.reexec);
    EXPECT_EQ(skx.core, "SKYLAKEX");
    const auto hsw = auto_decision(avx2_fma(), "Core2");
    EXPECT_TRUE(hsw.reexec);
    EXPECT_EQ(hsw.core, "HASWELL");
    // An AVX-512 CPU where OpenBLAS only found Haswell kernels is upgraded too.
    EXPECT_EQ(auto_decision(avx512_bf16(), "Haswell").core, "COOPERLAKE");
}

TEST(BlasCore, NothingBetterMeansNoReexec) {
    EXPECT_FALSE(auto_decision(sse_only(), "Prescott").reexec);
    CpuFeatures avx2_no_fma = avx2_fma();
    avx2_no_fma.fma = false;
    EXPECT_FALSE(auto_decision(avx2_no_fma, "Sandybridge").reexec);
    // Incomplete AVX-512 (no VL) is only good for Haswell kernels.
    CpuFeatures partial = avx512();
    partial.avx512vl = false;
    EXPECT_EQ(auto_decision(partial, "Prescott").core, "HASWELL");
    EXPECT_FALSE(auto_decision(partial, "Haswell").reexec);
}

TEST(BlasCore, GoodOrUnknownPicksAreKept) {
    EXPECT_FALSE(auto_decision(avx512_bf16(), "Cooperlake").reexec);
    EXPECT_FALSE(auto_decision(avx512_bf16(), "SkylakeX").reexec);  // same sgemm kernels
    EXPECT_FALSE(auto_decision(avx2_fma(), "Zen").reexec);
    EXPECT_FALSE(auto_decision(avx512_bf16(), "SapphireRapids").reexec);  // newer than the table
}

TEST(BlasCore, UserCoretypeAlwaysWins) {
    BlasRequest r;
    r.env_coretype = "HASWELL";
    const auto d = decide_blas_core(avx512_bf16(), "Haswell", r);
    EXPECT_FALSE(d.reexec);
    EXPECT_NE(d.reason.find("user"), std::string::npos);
    r.env_coretype = "PRESCOTT";
    EXPECT_FALSE(decide_blas_core(avx512_bf16(), "Prescott", r).reexec);
    // Even over an explicit --blas-core NAME.
    BlasRequest named = parse_blas_core_option("skylakex", avx512_bf16());
    named.env_coretype = "HASWELL";
    const auto over = decide_blas_core(avx512_bf16(), "Haswell", named);
    EXPECT_FALSE(over.reexec);
    EXPECT_NE(over.reason.find("--blas-core SKYLAKEX not applied"), std::string::npos)
        << over.reason;
    named.env_coretype = "skylakex";  // the same core: nothing to say
    EXPECT_EQ(decide_blas_core(avx512_bf16(), "SkylakeX", named).reason.find("not applied"),
              std::string::npos);
}

TEST(BlasCore, MarkerStopsReexecLoops) {
    BlasRequest r;
    r.marker = "COOPERLAKE";  // we re-executed, yet OpenBLAS still reports Prescott
    EXPECT_FALSE(decide_blas_core(avx512_bf16(), "Prescott", r).reexec);
    r.marker = "default";  // fallback after a failed self-check
    EXPECT_FALSE(decide_blas_core(avx512_bf16(), "Prescott", r).reexec);
}

TEST(BlasCore, KeepAndNamedModes) {
    const auto keep = parse_blas_core_option("keep", avx512_bf16());
    EXPECT_EQ(keep.mode, BlasMode::Keep);
    EXPECT_FALSE(decide_blas_core(avx512_bf16(), "Prescott", keep).reexec);

    const auto named = parse_blas_core_option("haswell", avx512_bf16());
    EXPECT_EQ(named.mode, BlasMode::Named);
    const auto d = decide_blas_core(avx512_bf16(), "Cooperlake", named);
    EXPECT_TRUE(d.reexec);
    EXPECT_EQ(d.core, "HASWELL");
    EXPECT_FALSE(decide_blas_core(avx512_bf16(), "Haswell", named).reexec);
    EXPECT_EQ(parse_blas_core_option("auto", sse_only()).mode, BlasMode::Auto);
}

TEST(BlasCore, BadOptionValuesAreRefused) {
    EXPECT_THROW(parse_blas_core_option("fastest", avx512_bf16()), Error);
    EXPECT_THROW(parse_blas_core_option("", avx512_bf16()), Error);
    // A kernel the CPU cannot run would die of SIGILL.
    EXPECT_THROW(parse_blas_core_option("COOPERLAKE", avx512()), Error);
    EXPECT_THROW(parse_blas_core_option("HASWELL", sse_only()), Error);
}

TEST(BlasCore, FallbackOnlyForOurOwnChoice) {
    BlasRequest ours;
    ours.env_coretype = "COOPERLAKE";
    ours.marker = "COOPERLAKE";
    EXPECT_TRUE(fallback_after_failed_check(ours));
    BlasRequest user;
    user.env_coretype = "COOPERLAKE";
    EXPECT_FALSE(fallback_after_failed_check(user));
    BlasRequest fell_back;
    fell_back.marker = "default";
    EXPECT_FALSE(fallback_after_failed_check(fell_back));
}

namespace {

void plain_sgemm(int m, int n, int k, const float* a, const float* b, float* c) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            float s = 0;
            for (int p = 0; p < k; ++p) s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
}
// A kernel that is slightly off (as a mis-tuned FMA path would be).
void biased_sgemm(int m, int n, int k, const float* a, const float* b, float* c) {
    plain_sgemm(m, n, k, a, b, c);
    for (int i = 0; i < m * n; ++i) c[i] *= 1.0f + 1e-3f;
}
// A kernel that drops the last k-step (a wrong edge kernel).
void short_k_sgemm(int m, int n, int k, const float* a, const float* b, float* c) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            float s = 0;
            for (int p = 0; p + 1 < k; ++p) s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
}
// A kernel that leaves C untouched (beta treated as 1 on garbage).
void noop_sgemm(int, int, int, const float*, const float*, float*) {}

using FortranSgemm = void (*)(const char*, const char*, const int*, const int*, const int*,
                              const float*, const float*, const int*, const float*, const int*,
                              const float*, float*, const int*);
FortranSgemm g_real = nullptr;
void real_sgemm(int m, int n, int k, const float* a, const float* b, float* c) {
    const float one = 1.0f, zero = 0.0f;
    g_real("N", "N", &n, &m, &k, &one, b, &n, a, &k, &zero, c, &n);
}

}  // namespace

TEST(BlasCore, SelfCheckAcceptsACorrectKernel) {
    const auto r = blas_self_check(plain_sgemm);
    EXPECT_TRUE(r.ok);
    EXPECT_LT(r.worst, 1e-5);
}

TEST(BlasCore, SelfCheckCatchesWrongKernels) {
    for (auto fn : {biased_sgemm, short_k_sgemm, noop_sgemm}) {
        const auto r = blas_self_check(fn);
        EXPECT_FALSE(r.ok);
        EXPECT_GT(r.worst, 1e-5);
    }
}

TEST(BlasCore, SelfCheckPassesTheLinkedBlas) {
    g_real = reinterpret_cast<FortranSgemm>(dlsym(RTLD_DEFAULT, "sgemm_"));
    if (g_real == nullptr) GTEST_SKIP() << "no sgemm_ in the process";
    EXPECT_TRUE(blas_self_check(real_sgemm).ok);
}

TEST(BlasCore, CpuidAgreesWithProcCpuinfo) {
    std::ifstream in("/proc/cpuinfo");
    std::string line, flags;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) == 0) {
            flags = " " + line.substr(line.find(':') + 1) + " ";
            break;
        }
    }
    if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo flags";
    const auto has = [&](const char* f) {
        return flags.find(" " + std::string(f) + " ") != std::string::npos;
    };
    const CpuFeatures c = read_cpu_features();
    EXPECT_EQ(c.avx2, has("avx2"));
    EXPECT_EQ(c.fma, has("fma"));
    EXPECT_EQ(c.avx512f, has("avx512f"));
    EXPECT_EQ(c.avx512vl, has("avx512vl"));
    EXPECT_EQ(c.avx512_bf16, has("avx512_bf16"));
}
