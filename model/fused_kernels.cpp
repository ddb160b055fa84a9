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

}  // namespace nar::model
