#pragma once
// The published NAR-Former V2 numbers of protocol.md, for `nar aggregate --paper`.
// Values are in display units: MAPE and Acc in %, τ as is.
#include <optional>
#include <string>

namespace nar::jobs {

struct PaperValue {
    std::optional<double> avg, best;
};

// table: 1..6; row: "all", a family ("alexnet", "efficientb0" and "efficientnet" alike),
// "average", a fraction ("0.001", "0.1"), a variant ("row3") or an attention scope
// ("local"); metric: "mape", "acc10", "acc5", "kendall_tau".
PaperValue paper_number(int table, const std::string& row, const std::string& metric);

// Canonical NNLQP family name for the paper's rows: "efficientb0" -> "efficientnet",
// "resnet18" -> "resnet", "vgg16" -> "vgg"; other names lower-cased.
std::string canonical_family(const std::string& family);

// Paper-style display name: "efficientnet" -> "EfficientNet".
std::string family_display_name(const std::string& family);

}  // namespace nar::jobs
