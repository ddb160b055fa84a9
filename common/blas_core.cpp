#include "common/blas_core.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <vector>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "common/error.h"

namespace nar::common {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// OpenBLAS x86-64 cores by kernel generation (rank): what a core name means
// for sgemm speed, and what the CPU needs to run it.
struct CoreInfo {
    const char* name;
    int rank;
    bool (*supported)(const CpuFeatures&);
};

bool any(const CpuFeatures&) { return true; }
bool has_avx(const CpuFeatures& c) { return c.avx; }
bool has_avx2(const CpuFeatures& c) { return c.avx2 && c.fma; }
bool has_avx512(const CpuFeatures& c) {
    return c.avx512f && c.avx512bw && c.avx512dq && c.avx512vl;
}
bool has_avx512_bf16(const CpuFeatures& c) { return has_avx512(c) && c.avx512_bf16; }

const CoreInfo kCores[] = {
    {"PRESCOTT", 0, any},
    {"CORE2", 0, any},
    {"PENRYN", 0, any},
    {"DUNNINGTON", 0, any},
    {"NEHALEM", 0, any},
    {"ATOM", 0, any},
    {"OPTERON", 0, any},
    {"BARCELONA", 0, any},
    {"SANDYBRIDGE", 1, has_avx},
    {"BULLDOZER", 1, has_avx},
    {"PILEDRIVER", 1, has_avx},
    {"STEAMROLLER", 1, has_avx},
    {"EXCAVATOR", 1, has_avx},
    {"HASWELL", 2, has_avx2},
    {"ZEN", 2, has_avx2},
    {"SKYLAKEX", 3, has_avx512},
    {"COOPERLAKE", 3, has_avx512_bf16},  // sgemm: the SKYLAKEX kernels
};

const CoreInfo* find_core(const std::string& name) {
    const std::string u = upper(name);
    for (const auto& c : kCores) {
        if (u == c.name) return &c;
    }
    return nullptr;
}

std::string known_names() {
    std::string s;
    for (const auto& c : kCores) s += (s.empty() ? "" : ", ") + std::string(c.name);
    return s;
}

#if defined(__x86_64__)
bool bit(unsigned v, int b) { return (v >> b) & 1u; }
#endif

}  // namespace

CpuFeatures read_cpu_features() {
    CpuFeatures f;
#if defined(__x86_64__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool osxsave = bit(c, 27);
    const bool fma = bit(c, 12), avx = bit(c, 28);
    if (!osxsave) return f;
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    const uint64_t xcr0 = (static_cast<uint64_t>(hi) << 32) | lo;
    const bool ymm_os = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
    const bool zmm_os = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM_Hi256, Hi16_ZMM
    if (!ymm_os) return f;
    f.avx = avx;
    f.fma = fma;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
    const unsigned max_sub = a;
    f.avx2 = bit(b, 5);
    if (zmm_os) {
        f.avx512f = bit(b, 16);
        f.avx512dq = bit(b, 17);
        f.avx512bw = bit(b, 30);
        f.avx512vl = bit(b, 31);
        if (max_sub >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512_bf16 = bit(a, 5);
    }
#endif
    return f;
}

BlasRequest parse_blas_core_option(const std::string& value, const CpuFeatures& cpu) {
    BlasRequest r;
    if (value == "auto") return r;
    if (value == "keep") {
        r.mode = BlasMode::Keep;
        return r;
    }
    const CoreInfo* core = find_core(value);
    if (core == nullptr) {
        throw Error("--blas-core: unknown value '" + value + "' (auto, keep, or one of " +
                    known_names() + ")");
    }
    if (!core->supported(cpu)) {
        throw Error("--blas-core: this CPU cannot run the " + std::string(core->name) +
                    " kernels (missing instruction-set extensions)");
    }
    r.mode = BlasMode::Named;
    r.name = core->name;
    return r;
}

std::string best_blas_core(const CpuFeatures& cpu) {
    const CoreInfo* best = nullptr;
    for (const char* name : {"HASWELL", "SKYLAKEX", "COOPERLAKE"}) {
        const CoreInfo* c = find_core(name);
        if (c->supported(cpu)) best = c;
    }
    return best ? best->name : "";
}

BlasDecision decide_blas_core(const CpuFeatures& cpu, const std::string& corename,
                              const BlasRequest& request) {
    BlasDecision d;
    if (!request.env_coretype.empty()) {
        d.reason = request.marker.empty()
                       ? "OPENBLAS_CORETYPE=" + request.env_coretype + " set by the user"
                       : "chosen by nar (OPENBLAS_CORETYPE=" + request.env_coretype + ")";
        // Say so where it overrides a --blas-core NAME asked for on the same command.
        if (request.marker.empty() && request.mode == BlasMode::Named &&
            upper(request.name) != upper(request.env_coretype)) {
            d.reason += "; --blas-core " + upper(request.name) + " not applied";
        }
        return d;
    }
    if (!request.marker.empty()) {
        // We re-executed already (or fell back): whatever OpenBLAS now runs stays.
        d.reason = "OpenBLAS default after fallback";
        return d;
    }
    if (request.mode == BlasMode::Keep) {
        d.reason = "OpenBLAS default (--blas-core keep)";
        return d;
    }
    const CoreInfo* current = find_core(corename);
    if (request.mode == BlasMode::Named) {
        if (upper(corename) == upper(request.name)) {
            d.reason = "--blas-core " + request.name;
            return d;
        }
        d.reexec = true;
        d.core = upper(request.name);
        d.reason = "--blas-core " + d.core;
        return d;
    }
    const std::string best = best_blas_core(cpu);
    if (best.empty() || current == nullptr) {
        // Nothing better known, or a core this table does not know: trust OpenBLAS.
        d.reason = "OpenBLAS default";
        return d;
    }
    if (current->rank >= find_core(best)->rank) {
        d.reason = "OpenBLAS default";
        return d;
    }
    d.reexec = true;
    d.core = best;
    d.reason = "auto: OpenBLAS picked " + corename + ", CPU supports " + best;
    return d;
}

bool fallback_after_failed_check(const BlasRequest& request) {
    return !request.env_coretype.empty() && !request.marker.empty() &&
           upper(request.marker) == upper(request.env_coretype);
}

BlasCheck blas_self_check(SgemmFn sgemm) {
    BlasCheck result;
    result.ok = true;
    // Odd sizes exercise the edge kernels; k > 256 crosses a blocking boundary.
    const int shapes[][3] = {{7, 5, 3}, {37, 29, 67}, {65, 47, 300}};
    uint32_t state = 12345;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
    };
    for (const auto& s : shapes) {
        const int m = s[0], n = s[1], k = s[2];
        std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n),
            c(static_cast<size_t>(m) * n, 7.0f);  // garbage: sgemm must overwrite (beta 0)
        for (auto& v : a) v = next();
        for (auto& v : b) v = next();
        sgemm(m, n, k, a.data(), b.data(), c.data());
        for (int i = 0; i < m; ++i) {
            for (int j = 0; j < n; ++j) {
                double ref = 0, mag = 0;
                for (int p = 0; p < k; ++p) {
                    const double t = static_cast<double>(a[i * k + p]) * b[p * n + j];
                    ref += t;
                    mag += std::fabs(t);
                }
                const double err = std::fabs(c[i * n + j] - ref) / std::max(mag, 1e-30);
                if (!(err <= 1e-5)) result.ok = false;  // NaN fails too
                result.worst = std::isnan(err) ? err : std::max(result.worst, err);
            }
        }
    }
    return result;
}

}  // namespace nar::common
