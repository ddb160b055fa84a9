#pragma once
// The study registry: one entry per study, and nothing else compares a study's
// name. Adding a study means one entry in study.cpp plus, when its input is
// new, a data loader in runner/study_data.cpp (keyed by benchmark, not name).
#include <map>
#include <string>
#include <vector>

namespace nar::jobs {

struct JobConfig;

enum class InputKind { Graphs, Cells };  // ONNX networks, or NAS-Bench cells

struct StudyDef {
    std::string name;
    std::string summary;  // one line, for --help and README
    InputKind input = InputKind::Graphs;
    std::string benchmark;       // data loader: "nnlqp", "nb201", "nb101"
    std::string primary_metric;  // "mape" (lower is better) or "kendall_tau" (higher)
    std::string model_preset;    // model::ModelConfig::preset name
    std::map<std::string, std::string> defaults;  // parameter defaults that differ from the table's
    std::vector<std::string> required;            // keys a job must set
    int paper_table = 0;                          // the paper's table (1-4), 0 for none
    // Cost model: samples in the space (NAS) or the training set (NNLQP), and the
    // relative work of one sample (a network graph has ~10x the nodes of a cell).
    double samples = 0;
    double sample_weight = 1;
    bool holdout_split = false;  // NNLQP: test on one held-out family
    bool lower_is_better() const { return primary_metric == "mape"; }
    bool latency() const { return primary_metric == "mape"; }
    bool cells() const { return input == InputKind::Cells; }
};

const std::vector<StudyDef>& studies();
const StudyDef* find_study(const std::string& name);
// Throws common::Error listing the studies.
const StudyDef& study_def(const std::string& name);
std::vector<std::string> study_names();

// Encodings a study's input accepts (graphs: pe raw op_pe; cells: pe onehot).
const std::vector<std::string>& encodings_for(InputKind input);

// Relative length of a job (epochs x training samples + test samples), for
// longest-first scheduling and the ETA.
double estimate_cost(const JobConfig& cfg);

// True when a is better than b by the study's primary metric (NaN is never better).
bool better_metric(const StudyDef& s, double a, double b);

}  // namespace nar::jobs
