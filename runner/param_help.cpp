#include "runner/param_help.h"

#include <map>
#include <vector>

#include "model/model_config.h"

namespace nar::runner {

std::string resolved_default(const jobs::ParamDef& p, const jobs::StudyDef& study) {
    auto it = study.defaults.find(p.key);
    if (it != study.defaults.end()) return it->second;
    if (p.model) {
        const auto fields = model::config_fields(model::ModelConfig::preset(study.model_preset));
        auto f = fields.find(p.key);
        return f == fields.end() ? "" : f->second;
    }
    return p.default_value;
}

std::string param_help(const jobs::ParamDef& p) {
    // value -> studies, in registry order of first appearance
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (const auto& s : jobs::studies()) {
        const std::string v = resolved_default(p, s);
        auto it = groups.begin();
        while (it != groups.end() && it->first != v) ++it;
        if (it == groups.end()) {
            groups.push_back({v, {s.name}});
        } else {
            it->second.push_back(s.name);
        }
    }
    if (groups.size() == 1) {
        return groups[0].first.empty() ? p.help : p.help + " (default: " + groups[0].first + ")";
    }
    std::string out = p.help + " (default: ";
    for (size_t g = 0; g < groups.size(); ++g) {
        out += (g ? "; " : "") + (groups[g].first.empty() ? std::string("none") : groups[g].first) +
               " for ";
        for (size_t i = 0; i < groups[g].second.size(); ++i) {
            out += (i ? ", " : "") + groups[g].second[i];
        }
    }
    return out + ")";
}

}  // namespace nar::runner
