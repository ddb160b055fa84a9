#include "jobs/job_config.h"

#include <algorithm>

#include "common/error.h"
#include "common/precision.h"
#include "jobs/params.h"
#include "jobs/study.h"
#include "jobs/variant.h"

namespace nar::jobs {

using common::Error;

const StudyDef& JobConfig::study_def() const { return jobs::study_def(study); }
bool JobConfig::latency() const { return study_def().latency(); }
bool JobConfig::cells() const { return study_def().cells(); }

std::string JobConfig::to_text() const {
    std::string out;
    for (const auto& p : param_table()) out += p.key + "=" + get_value(*this, p) + "\n";
    return out;
}

std::string JobConfig::identity_text() const {
    std::string out;
    for (const auto& p : param_table()) {
        if (!p.identity) continue;
        const std::string v = get_value(*this, p);
        if (p.identity_unless_default && v == p.default_value) continue;
        out += p.key + "=" + v + "\n";
    }
    return out;
}

JobConfig resolve_job_config(const std::map<std::string, std::string>& params,
                             const std::string& where) {
    const std::string at = where.empty() ? "" : where + ": ";
    std::map<std::string, std::string> given;
    for (const auto& [k, v] : params) {
        const ParamDef* p = find_param(k);
        if (!p) throw Error(at + "unknown parameter '" + k + "'");
        if (p->model && v.empty()) continue;  // an unset model field: the preset's
        given[k] = canonical_value(*p, v, where);
    }
    auto it = given.find("study");
    if (it == given.end() || it->second.empty()) {
        std::string list;
        for (const auto& n : study_names()) list += (list.empty() ? "" : ", ") + n;
        throw Error(at + "parameter 'study' is required (one of " + list + ")");
    }
    const StudyDef& study = study_def(it->second);

    JobConfig c;
    // Layers, later ones win: the table, the study, the variant, the given values.
    for (const auto& p : param_table()) set_value(c, p, p.default_value);
    for (const auto& [k, v] : study.defaults) set_value(c, *find_param(k), v);
    if (auto v = given.find("variant"); v != given.end() && !v->second.empty()) {
        for (const auto& [k, val] : find_variant(v->second)->settings) {
            set_value(c, *find_param(k), val);
        }
    }
    for (const auto& [k, v] : given) set_value(c, *find_param(k), v);
    // A training count alone replaces the study's default fraction.
    if (given.count("train_count") && !given.count("fraction")) c.fraction = 0;

    for (const auto& k : study.required) {
        if (get_value(c, *find_param(k)).empty()) {
            throw Error(at + "study " + study.name + " needs " + k + "=..." +
                        (k == "data_root" ? " (an NNLQP root with gt.txt or gt_stage.txt and the "
                                            "ONNX files)"
                                          : ""));
        }
    }
    const auto& enc = encodings_for(study.input);
    if (std::find(enc.begin(), enc.end(), c.encoding) == enc.end()) {
        std::string list;
        for (const auto& e : enc) list += (list.empty() ? "" : ", ") + e;
        throw Error(at + "parameter encoding=" + c.encoding + ": study " + study.name +
                    " takes one of " + list);
    }
    if (common::parse_precision(c.precision) != common::Precision::Float32 &&
        c.dtype != "float32") {
        throw Error(at + "precision=" + c.precision +
                    " needs dtype=float32 (its weights and "
                    "activations), not dtype=" +
                    c.dtype);
    }
    if (study.cells() && c.fraction <= 0 && c.train_count <= 0) {
        throw Error(at + "study " + study.name + " needs fraction=F or train_count=N");
    }
    return c;
}

}  // namespace nar::jobs
