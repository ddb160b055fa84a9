#include "common/startup_env.h"

namespace nar::common {

const std::vector<EnvSetting>& startup_env_settings() {
    // PASSIVE: libgomp's workers do not spin for its default ~300k rounds
    // after a parallel region. GOMP_SPINCOUNT (which libgomp takes over the
    // policy): they spin 30000 rounds (hundreds of µs) before sleeping, enough
    // to catch the next of the step's many short regions without a futex
    // wake-up. With oneDNN's products the 2-thread step ran faster than at
    // 3000: latency +10%, accuracy +13% on an AVX2 AMD EPYC (at the same CPU
    // time per step), level and +8% on an AVX-512 one (bench_train_step
    // medians, 2026-12-02). With the products on OpenBLAS (NAR_COMPOSITE=gemm)
    // its own pool competes with the spinning workers and 3000 was better
    // there. It is not added where the user chose a wait policy. 4: OpenBLAS's
    // minimum, 2^4 cycles of spinning before its workers sleep (default 2^28,
    // about 0.1 s).
    // glibc.malloc.hugetlb=1 (glibc 2.35 on; older ones ignore it): malloc
    // madvises its heap for transparent huge pages, 2 MB per page fault instead
    // of 4 KB. A user's GLIBC_TUNABLES is theirs whole (=0 turns this off).
    static const std::vector<EnvSetting> settings = {{"OMP_WAIT_POLICY", "PASSIVE"},
                                                     {"GOMP_SPINCOUNT", "30000", "OMP_WAIT_POLICY"},
                                                     {"OPENBLAS_THREAD_TIMEOUT", "4"},
                                                     {"GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"}};
    return settings;
}

std::vector<EnvSetting> missing_startup_env_settings(
    const std::function<const char*(const char*)>& getenv) {
    const auto set = [&](const std::string& name) {
        const char* v = getenv(name.c_str());
        return v != nullptr && *v != '\0';
    };
    std::vector<EnvSetting> out;
    for (const auto& s : startup_env_settings()) {
        if (!set(s.name) && (s.unless.empty() || !set(s.unless))) out.push_back(s);
    }
    return out;
}

std::string startup_env_summary(const std::function<const char*(const char*)>& getenv) {
    const char* m = getenv(kStartupEnvMarker);
    const std::string marker = "," + std::string(m ? m : "") + ",";
    std::string out;
    for (const auto& s : startup_env_settings()) {
        const char* v = getenv(s.name.c_str());
        const bool ours = marker.find("," + s.name + ",") != std::string::npos;
        if (!out.empty()) out += ", ";
        out += s.name + "=" + (v && *v ? v : "(unset)") + (ours ? " (nar)" : " (yours)");
    }
    return out;
}

}  // namespace nar::common
