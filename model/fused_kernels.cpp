#include "model/fused_kernels.h"

#include <cstdlib>
#include <sstream>

#include "common/error.h"

namespace nar::model {

namespace {

constexpr std::pair<Kernel, const char*> kNames[] = {
    {Kernel::Norm, "norm"},         {Kernel::L2, "l2"},       {Kernel::Edge, "edge"},
    {Kernel::Gate, "gate"},         {Kernel::Group, "group"}, {Kernel::Ffn, "ffn"},
    {Kernel::Residual, "residual"}, {Kernel::Gemm, "gemm"}};

}  // namespace

std::vector<Kernel> parse_composite(const std::string& value) {
    std::vector<Kernel> off;
    std::stringstream in(value);
    std::string name;
    while (std::getline(in, name, ',')) {
        if (name.empty()) continue;
        bool known = false;
        for (const auto& [k, n] : kNames) {
            if (name == n || name == "all") {
                off.push_back(k);
                known = true;
            }
        }
        if (!known) {
            std::string names;
            for (const auto& [k, n] : kNames) names += std::string(n) + ", ";
            throw common::Error("NAR_COMPOSITE: unknown kernel '" + name + "' (give " + names +
                                "or all, comma-separated)");
        }
    }
    return off;
}

void check_composite_env() {
    const char* v = std::getenv("NAR_COMPOSITE");
    parse_composite(v ? v : "");
}

bool fused_enabled(Kernel k) {
    static const std::vector<Kernel> off = [] {
        const char* v = std::getenv("NAR_COMPOSITE");
        return parse_composite(v ? v : "");
    }();
    for (const Kernel o : off) {
        if (o == k) return false;
    }
    return true;
}

bool fused_applies(Kernel k, const torch::Tensor& x) {
    const auto t = x.scalar_type();
    return fused_enabled(k) && x.is_cpu() && (t == torch::kFloat32 || t == torch::kFloat64) &&
           x.dim() >= 1 && x.numel() > 0 && x.size(-1) > 0;
}

}  // namespace nar::model
