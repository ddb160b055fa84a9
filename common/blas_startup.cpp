#include "common/blas_startup.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/blas_core.h"
#include "common/error.h"
#include "common/startup_env.h"

namespace nar::common {

namespace {

constexpr const char* kMarker = "NAR_BLAS_CORE";
constexpr const char* kFallback = "default";

std::string g_name = "unknown";
std::string g_summary = "BLAS core unknown (not selected)";

using FortranSgemm = void (*)(const char*, const char*, const int*, const int*, const int*,
                              const float*, const float*, const int*, const float*, const int*,
                              const float*, float*, const int*);
FortranSgemm g_sgemm = nullptr;

// Row-major product through the Fortran sgemm_ LibTorch calls: C^T = B^T A^T.
void real_sgemm(int m, int n, int k, const float* a, const float* b, float* c) {
    const float one = 1.0f, zero = 0.0f;
    g_sgemm("N", "N", &n, &m, &k, &one, b, &n, a, &k, &zero, c, &n);
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string option_value(int argc, char** argv) {
    std::string value = "auto";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") break;
        if (a == "--blas-core" && i + 1 < argc) value = argv[++i];
        if (a.rfind("--blas-core=", 0) == 0) value = a.substr(std::strlen("--blas-core="));
    }
    return value;
}

void reexec(char** argv) {
    execv("/proc/self/exe", argv);
    spdlog::warn(
        "BLAS: could not re-execute /proc/self/exe ({}); keeping the current kernel and "
        "start-up settings",
        std::strerror(errno));
}

const char* getenv_fn(const char* name) { return std::getenv(name); }

// Sets the start-up settings the environment lacks (they act after a
// re-exec) and returns them; a re-executed process finds none missing.
std::vector<EnvSetting> add_startup_env_settings() {
    const auto missing = missing_startup_env_settings(getenv_fn);
    std::string names;
    for (const auto& s : missing) {
        setenv(s.name.c_str(), s.value.c_str(), 1);
        names += (names.empty() ? "" : ",") + s.name;
    }
    if (!missing.empty()) setenv(kStartupEnvMarker, names.c_str(), 1);
    return missing;
}

// After a failed exec: the process runs with the settings it was loaded with.
void drop_startup_env_settings(const std::vector<EnvSetting>& added) {
    for (const auto& s : added) unsetenv(s.name.c_str());
    if (!added.empty()) unsetenv(kStartupEnvMarker);
}

std::string env_summary() { return "start-up env " + startup_env_summary(getenv_fn); }

}  // namespace

void select_blas_core(int argc, char** argv) {
    const CpuFeatures cpu = read_cpu_features();
    BlasRequest request;
    try {
        request = parse_blas_core_option(option_value(argc, argv), cpu);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        std::exit(2);
    }
    request.env_coretype = env_or_empty("OPENBLAS_CORETYPE");
    request.marker = env_or_empty(kMarker);
    const auto added = add_startup_env_settings();

    using Corename = char* (*)();
    const auto corename_fn =
        reinterpret_cast<Corename>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    g_sgemm = reinterpret_cast<FortranSgemm>(dlsym(RTLD_DEFAULT, "sgemm_"));
    if (corename_fn == nullptr || g_sgemm == nullptr) {
        if (!added.empty()) reexec(argv);
        drop_startup_env_settings(added);
        g_summary = "BLAS core unknown (not OpenBLAS; left alone); " + env_summary();
        return;
    }
    g_name = corename_fn();

    const BlasDecision d = decide_blas_core(cpu, g_name, request);
    if (d.reexec) {
        setenv("OPENBLAS_CORETYPE", d.core.c_str(), 1);
        setenv(kMarker, d.core.c_str(), 1);
    }
    if (d.reexec || !added.empty()) {
        reexec(argv);
        // exec failed: say what is really running
        drop_startup_env_settings(added);
        if (d.reexec) {
            unsetenv("OPENBLAS_CORETYPE");
            unsetenv(kMarker);
        }
    }

    const BlasCheck check = blas_self_check(real_sgemm);
    if (!check.ok) {
        if (fallback_after_failed_check(request)) {
            spdlog::warn(
                "BLAS self-check failed on the {} kernel (relative error {:.2g} > 1e-5): "
                "falling back to OpenBLAS's default kernel",
                g_name, check.worst);
            unsetenv("OPENBLAS_CORETYPE");
            setenv(kMarker, kFallback, 1);
            reexec(argv);
        }
        spdlog::warn(
            "BLAS self-check failed on the {} kernel (relative error {:.2g} > 1e-5): "
            "results may be wrong",
            g_name, check.worst);
    }
    std::string why = d.reason;
    if (request.marker == kFallback && request.env_coretype.empty()) {
        why = "OpenBLAS default after the chosen kernel failed its self-check";
    }
    g_summary = "BLAS core " + g_name + " (" + why + "; self-check " +
                (check.ok ? "ok" : "FAILED") + "); " + env_summary();
}

std::string blas_core_name() { return g_name; }

std::string blas_core_summary() { return g_summary; }

}  // namespace nar::common
