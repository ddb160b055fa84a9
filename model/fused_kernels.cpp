#include "model/fused_kernels.h"

#include <cstdlib>

namespace nar::model {

namespace {

const char* name_of(Kernel k) {
    switch (k) {
        case Kernel::Norm:
            return "norm";
        case Kernel::L2:
            return "l2";
        case Kernel::Edge:
            return "edge";
        case Kernel::Gate:
            return "gate";
    }
    return "";
}

}  // namespace

bool fused_enabled(Kernel k) {
    static const std::string off = [] {
        const char* v = std::getenv("NAR_COMPOSITE");
        return "," + std::string(v ? v : "") + ",";
    }();
    return off.find(",all,") == std::string::npos &&
           off.find("," + std::string(name_of(k)) + ",") == std::string::npos;
}

bool fused_applies(Kernel k, const torch::Tensor& x) {
    const auto t = x.scalar_type();
    return fused_enabled(k) && x.is_cpu() && (t == torch::kFloat32 || t == torch::kFloat64) &&
           x.dim() >= 1 && x.numel() > 0 && x.size(-1) > 0;
}

}  // namespace nar::model
