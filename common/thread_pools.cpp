#include "common/thread_pools.h"

namespace nar::common {

const std::vector<EnvSetting>& thread_pool_settings() {
    // PASSIVE: libgomp's workers sleep at once after a parallel region (its
    // default spins ~300k rounds). 4: OpenBLAS's minimum, 2^4 cycles of
    // spinning before its workers sleep (default 2^28, about 0.1 s).
    static const std::vector<EnvSetting> settings = {{"OMP_WAIT_POLICY", "PASSIVE"},
                                                     {"OPENBLAS_THREAD_TIMEOUT", "4"}};
    return settings;
}

std::vector<EnvSetting> missing_thread_pool_settings(
    const std::function<const char*(const char*)>& getenv) {
    std::vector<EnvSetting> out;
    for (const auto& s : thread_pool_settings()) {
        const char* v = getenv(s.name.c_str());
        if (v == nullptr || *v == '\0') out.push_back(s);
    }
    return out;
}

std::string thread_pool_summary(const std::function<const char*(const char*)>& getenv) {
    const char* m = getenv(kThreadPoolMarker);
    const std::string marker = "," + std::string(m ? m : "") + ",";
    std::string out;
    for (const auto& s : thread_pool_settings()) {
        const char* v = getenv(s.name.c_str());
        const bool ours = marker.find("," + s.name + ",") != std::string::npos;
        if (!out.empty()) out += ", ";
        out += s.name + "=" + (v && *v ? v : "(unset)") + (ours ? " (nar)" : " (yours)");
    }
    return out;
}

}  // namespace nar::common
