#include "jobs/study.h"

#include <cmath>

#include "common/error.h"
#include "jobs/job_config.h"

namespace nar::jobs {

namespace {

// Paper defaults (model.md §7). nb201-latency is our cell-latency task: the
// accuracy architecture (cells carry no static features), the latency loss.
std::vector<StudyDef> build() {
    const std::map<std::string, std::string> nnlqp = {
        {"epochs", "50"}, {"batch_size", "16"}, {"lr", "0.001"}};
    const std::map<std::string, std::string> nas_accuracy = {{"epochs", "1000"},
                                                             {"batch_size", "8"},
                                                             {"lr", "0.0001"},
                                                             {"sr_weight", "0.1"},
                                                             {"ac_weight", "0.5"}};
    auto with = [](std::map<std::string, std::string> m, std::map<std::string, std::string> more) {
        for (auto& [k, v] : more) m[k] = v;
        return m;
    };
    std::vector<StudyDef> s;
    s.push_back({"nnlqp-in-domain",
                 "NNLQP latency, in-domain split (Table 1)",
                 InputKind::Graphs,
                 "nnlqp",
                 "mape",
                 "latency",
                 nnlqp,
                 {"data_root"},
                 1,
                 18000,
                 10});
    s.push_back({"nnlqp-unseen",
                 "NNLQP latency, one family held out (Table 2)",
                 InputKind::Graphs,
                 "nnlqp",
                 "mape",
                 "latency",
                 nnlqp,
                 {"data_root", "holdout"},
                 2,
                 18000,
                 10,
                 true});
    s.push_back({"nb101-accuracy",
                 "NAS-Bench-101 accuracy (Table 3)",
                 InputKind::Cells,
                 "nb101",
                 "kendall_tau",
                 "accuracy",
                 with(nas_accuracy, {{"target", "accuracy:validation"}, {"fraction", "0.001"}}),
                 {},
                 3,
                 423624,
                 1});
    s.push_back({"nb201-accuracy",
                 "NAS-Bench-201 accuracy (Table 4)",
                 InputKind::Cells,
                 "nb201",
                 "kendall_tau",
                 "accuracy",
                 with(nas_accuracy, {{"target", "accuracy:cifar10"}, {"fraction", "0.1"}}),
                 {},
                 4,
                 15625,
                 1});
    s.push_back({"nb201-latency",
                 "NAS-Bench-201 cell latency on one of 27 devices",
                 InputKind::Cells,
                 "nb201",
                 "mape",
                 "accuracy",
                 {{"epochs", "200"},
                  {"batch_size", "8"},
                  {"lr", "0.001"},
                  {"target", "latency:titan_rtx_1"},
                  {"target_scale", "mean"},
                  {"fraction", "0.05"}},
                 {},
                 0,
                 15625,
                 1});
    return s;
}

}  // namespace

const std::vector<StudyDef>& studies() {
    static const std::vector<StudyDef> all = build();
    return all;
}

const StudyDef* find_study(const std::string& name) {
    for (const auto& s : studies()) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

std::vector<std::string> study_names() {
    std::vector<std::string> v;
    for (const auto& s : studies()) v.push_back(s.name);
    return v;
}

const StudyDef& study_def(const std::string& name) {
    if (const StudyDef* s = find_study(name)) return *s;
    std::string list;
    for (const auto& n : study_names()) list += (list.empty() ? "" : ", ") + n;
    throw common::Error("unknown study '" + name + "' (one of " + list + ")");
}

const std::vector<std::string>& encodings_for(InputKind input) {
    static const std::vector<std::string> graphs = {"pe", "raw", "op_pe"};
    static const std::vector<std::string> cells = {"pe", "onehot"};
    return input == InputKind::Graphs ? graphs : cells;
}

double estimate_cost(const JobConfig& c) {
    const StudyDef& s = c.study_def();
    double train = s.samples, test = 0;
    if (s.cells()) {
        train = c.train_count > 0 ? static_cast<double>(c.train_count) : c.fraction * s.samples;
        test = s.samples;
    } else {
        test = s.samples / 9;  // NNLQP: 10% of the rows
    }
    const double val = s.cells() ? static_cast<double>(c.val_count) : c.val_fraction * train;
    return s.sample_weight * (static_cast<double>(c.epochs) * (train + val) + test);
}

bool better_metric(const StudyDef& s, double a, double b) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return s.lower_is_better() ? a < b : a > b;
}

}  // namespace nar::jobs
