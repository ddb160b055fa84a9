#include "model/param_count.h"

#include <string>

namespace nar::model {

ParamCounts count_parameters(Predictor& model) {
    ParamCounts c;
    auto has = [](const std::string& s, const char* part) {
        return s.find(part) != std::string::npos;
    };
    for (const auto& kv : model->named_parameters(true)) {
        const std::string& n = kv.key();
        const int64_t k = kv.value().numel();
        c.total += k;
        if (has(n, ".attn.") || n.rfind("sage.", 0) == 0)
            c.attention += k;
        else if (has(n, ".ffn."))
            c.ffn += k;
        else if (has(n, ".norm."))
            c.ffn_norm += k;
        else if (has(n, ".gamma"))
            c.layer_scale += k;
        else if (has(n, "head.static_proj."))
            c.static_proj += k;
        else if (has(n, "head.fusion_"))
            c.fusion += k;
        else
            c.head += k;
    }
    return c;
}

}  // namespace nar::model
