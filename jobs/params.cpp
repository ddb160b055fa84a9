#include "jobs/params.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/numbers.h"
#include "common/precision.h"
#include "jobs/study.h"
#include "jobs/variant.h"
#include "model/model_config.h"

namespace nar::jobs {

using common::Error;

namespace {

constexpr double kInt64Max = 9.2233720368547758e18;

std::vector<std::string> variant_names() {
    std::vector<std::string> v;
    for (const auto& r : variants()) v.push_back(r.name);
    return v;
}

std::vector<std::string> all_encodings() {
    std::vector<std::string> v = encodings_for(InputKind::Graphs);
    for (const auto& e : encodings_for(InputKind::Cells)) {
        if (std::find(v.begin(), v.end(), e) == v.end()) v.push_back(e);
    }
    return v;
}

ParamDef row(std::string key, ParamField field, ParamType type, std::string help,
             std::string dflt = "") {
    ParamDef p;
    p.key = std::move(key);
    p.field = field;
    p.type = type;
    p.help = std::move(help);
    p.default_value = std::move(dflt);
    return p;
}

ParamDef with_range(ParamDef p, double lo, double hi) {
    p.min = lo;
    p.max = hi;
    return p;
}

ParamDef with_allowed(ParamDef p, std::vector<std::string> allowed) {
    p.allowed = std::move(allowed);
    return p;
}

// A ModelConfig field passed through to the model; an enum field's names come from ModelConfig.
ParamDef model_row(std::string key, ParamType type, std::string help) {
    ParamDef p = row(std::move(key), std::monostate{}, type, std::move(help));
    p.model = true;
    p.allowed = model::allowed_values(p.key);
    return p;
}

using S = std::string JobConfig::*;
using I = int64_t JobConfig::*;
using D = double JobConfig::*;
using B = bool JobConfig::*;
using U = uint64_t JobConfig::*;
constexpr auto kS = ParamType::String;
constexpr auto kI = ParamType::Int;
constexpr auto kD = ParamType::Float;
constexpr auto kB = ParamType::Bool;

std::vector<ParamDef> build_table() {
    std::vector<ParamDef> t = {
        with_allowed(row("study", S(&JobConfig::study), kS, "the study (see README, Studies)"),
                     study_names()),
        row("data_root", S(&JobConfig::data_root), kS,
            "NNLQP root (gt.txt/gt_stage.txt + ONNX), or an NB101 tfrecord/CSV; empty: bundled"),
        row("holdout", S(&JobConfig::holdout), kS, "nnlqp-unseen: the family tested on"),
        row("platform", S(&JobConfig::platform), kS, "NNLQP platform filter (empty: all)"),
        row("target", S(&JobConfig::target), kS,
            "cells: accuracy:cifar10 | accuracy:cifar100 | latency:<device> ..."),
        with_allowed(row("encoding", S(&JobConfig::encoding), kS,
                         "networks: pe | raw | op_pe; cells: pe | onehot", "pe"),
                     all_encodings()),
        with_allowed(row("test", S(&JobConfig::test_mode), kS,
                         "NAS test set: whole space (paper) | rest", "whole"),
                     {"whole", "rest"}),
        with_range(row("fraction", D(&JobConfig::fraction), kD,
                       "NAS training fraction of the space (0: use train_count)", "0"),
                   0, 1),
        with_range(row("train_count", I(&JobConfig::train_count), kI,
                       "NAS training cells (instead of fraction)", "0"),
                   0, 1e9),
        with_range(row("val_count", I(&JobConfig::val_count), kI, "NAS validation cells", "200"), 1,
                   1e9),
        with_range(row("val_fraction", D(&JobConfig::val_fraction), kD,
                       "NNLQP: share of each family's training rows validated on", "0.05"),
                   0, 0.9),
        with_range(row("split_seed", I(&JobConfig::split_seed), kI,
                       "seed of the fixed data split (the same for every repeat)", "0"),
                   0, kInt64Max),
        row("keep_degenerate", B(&JobConfig::keep_degenerate), kB,
            "latency studies: keep NB201 cells with no input-to-output path", "false"),
        with_allowed(row("variant", S(&JobConfig::variant), kS,
                         "Table 5 row: row1..row6 (empty: the full model)"),
                     variant_names()),
        model_row("structure", kS, "Transformer or the GraphSAGE baseline"),
        model_row("attention", kS, "graph-aided attention over edges or over all pairs"),
        model_row("ta_enhance", kB, "type-aware enhancement"),
        model_row("ffn", kS, "feed-forward kind"),
        with_range(model_row("hidden", kI, "hidden size D (fc_hidden follows unless given)"), 1,
                   65536),
        with_range(model_row("layers", kI, "layers L"), 1, 1024),
        with_range(model_row("fc_hidden", kI, "head width F (follows hidden unless given)"), 1,
                   65536),
        with_range(model_row("dropout", kD, "dropout"), 0, 0.99),
        with_range(row("epochs", I(&JobConfig::epochs), kI, "epochs"), 1, 1e6),
        with_range(row("batch_size", I(&JobConfig::batch_size), kI, "global batch"), 1, 1e5),
        with_range(row("lr", D(&JobConfig::lr), kD, "peak learning rate"), 1e-12, 10),
        with_range(row("warmup_fraction", D(&JobConfig::warmup_fraction), kD,
                       "share of optimiser steps for the linear warm-up", "0.1"),
                   0, 0.99),
        with_range(
            row("sr_weight", D(&JobConfig::sr_weight), kD, "sequence-ranking loss weight", "0"), 0,
            1000),
        with_range(row("ac_weight", D(&JobConfig::ac_weight), kD,
                       "architecture-consistency loss weight", "0"),
                   0, 1000),
        with_allowed(row("target_scale", S(&JobConfig::target_scale), kS,
                         "none | mean: train on targets / their training mean", "none"),
                     {"none", "mean"}),
        with_allowed(row("dtype", S(&JobConfig::dtype), kS, "float32 | float64", "float32"),
                     {"float32", "float64"}),
        with_allowed(row("precision", S(&JobConfig::precision), kS,
                         "float32 | bf16: matrix products in bfloat16, weights, activations and "
                         "optimiser in float32 (CPUs with avx512_bf16; oneDNN)",
                         "float32"),
                     common::precision_names()),
        row("device", S(&JobConfig::device), kS, "cpu | cuda | cuda:N", "cpu"),
        with_range(row("threads", I(&JobConfig::threads), kI,
                       "compute threads per rank (0: cores / ranks on the node)", "0"),
                   0, 4096),
        row("seed", U(&JobConfig::seed), ParamType::UInt,
            "job seed (a sweep derives it from the job id)", "0"),
        with_range(
            row("eval_batch_size", I(&JobConfig::eval_batch_size), kI, "evaluation batch", "256"),
            1, 1e6),
    };
    for (auto& p : t) {
        if (p.key == "threads") p.identity = false;  // never changes the numbers
        if (p.key == "precision") p.identity_unless_default = true;
    }
    std::sort(t.begin(), t.end(),
              [](const ParamDef& a, const ParamDef& b) { return a.key < b.key; });
    return t;
}

std::string range_text(const ParamDef& p) {
    return "[" + common::format_double(p.min) + ", " + common::format_double(p.max) + "]";
}

}  // namespace

const std::vector<ParamDef>& param_table() {
    static const std::vector<ParamDef> table = build_table();
    return table;
}

const ParamDef* find_param(const std::string& key) {
    for (const auto& p : param_table()) {
        if (p.key == key) return &p;
    }
    return nullptr;
}

std::vector<std::string> param_keys() {
    std::vector<std::string> keys;
    for (const auto& p : param_table()) keys.push_back(p.key);
    return keys;
}

std::string cli_flag(const ParamDef& p) {
    std::string f = "--" + p.key;
    std::replace(f.begin(), f.end(), '_', '-');
    return f;
}

const char* type_name(ParamType t) {
    switch (t) {
        case ParamType::String:
            return "a string";
        case ParamType::Int:
            return "an integer";
        case ParamType::UInt:
            return "a non-negative integer";
        case ParamType::Float:
            return "a number";
        case ParamType::Bool:
            return "true or false";
    }
    return "?";
}

const char* cli_type_name(ParamType t) {
    switch (t) {
        case ParamType::String:
            return "TEXT";
        case ParamType::Int:
            return "INT";
        case ParamType::UInt:
            return "UINT";
        case ParamType::Float:
            return "FLOAT";
        case ParamType::Bool:
            return "BOOL";
    }
    return "TEXT";
}

std::string cli_value_name(const ParamDef& p) {
    if (p.allowed.empty()) return cli_type_name(p.type);
    std::string l;
    for (const auto& a : p.allowed) l += (l.empty() ? "" : ",") + a;
    return "{" + l + "}";
}

std::string canonical_value(const ParamDef& p, const std::string& text, const std::string& where) {
    const std::string what = (where.empty() ? "" : where + ": ") + "parameter " + p.key;
    auto check_range = [&](double v) {
        if (!(v >= p.min && v <= p.max)) {
            throw Error(what + "=" + text + ": must be in " + range_text(p));
        }
    };
    switch (p.type) {
        case ParamType::String: {
            if (text.find_first_of(std::string("\n\r\0", 3)) != std::string::npos) {
                throw Error(what + ": the value contains a newline or NUL character");
            }
            if (!p.allowed.empty() && !text.empty() &&
                std::find(p.allowed.begin(), p.allowed.end(), text) == p.allowed.end()) {
                std::string list;
                for (const auto& a : p.allowed) list += (list.empty() ? "" : ", ") + a;
                throw Error(what + "=" + text + ": must be one of " + list + " (" + p.help + ")");
            }
            return text;
        }
        case ParamType::Int: {
            int64_t v = 0;
            try {
                v = common::parse_int64(text, what);
            } catch (const Error& e) {
                throw Error(what + "=" + text + ": must be " + type_name(p.type) + " (" + e.what() +
                            ")");
            }
            check_range(static_cast<double>(v));
            return std::to_string(v);
        }
        case ParamType::UInt:
            try {
                return std::to_string(common::parse_uint64(text, what));
            } catch (const Error& e) {
                throw Error(what + "=" + text + ": must be " + type_name(p.type) + " (" + e.what() +
                            ")");
            }
        case ParamType::Float: {
            double v = 0;
            try {
                v = common::parse_double(text, what);
            } catch (const Error& e) {
                throw Error(what + "=" + text + ": must be " + type_name(p.type) + " (" + e.what() +
                            ")");
            }
            check_range(v);
            return common::format_double(v);
        }
        case ParamType::Bool:
            try {
                return common::parse_bool(text, what) ? "true" : "false";
            } catch (const Error&) {
                throw Error(what + "=" + text + ": must be true or false");
            }
    }
    return text;
}

std::string get_value(const JobConfig& c, const ParamDef& p) {
    return std::visit(
        [&](auto f) -> std::string {
            using F = decltype(f);
            if constexpr (std::is_same_v<F, std::monostate>) {
                auto it = c.model.find(p.key);
                return it == c.model.end() ? "" : it->second;
            } else if constexpr (std::is_same_v<F, std::string JobConfig::*>) {
                return c.*f;
            } else if constexpr (std::is_same_v<F, double JobConfig::*>) {
                return common::format_double(c.*f);
            } else if constexpr (std::is_same_v<F, bool JobConfig::*>) {
                return c.*f ? "true" : "false";
            } else {
                return std::to_string(c.*f);
            }
        },
        p.field);
}

void set_value(JobConfig& c, const ParamDef& p, const std::string& v) {
    std::visit(
        [&](auto f) {
            using F = decltype(f);
            if constexpr (std::is_same_v<F, std::monostate>) {
                if (v.empty()) {
                    c.model.erase(p.key);
                } else {
                    c.model[p.key] = v;
                }
            } else if constexpr (std::is_same_v<F, std::string JobConfig::*>) {
                c.*f = v;
            } else if constexpr (std::is_same_v<F, double JobConfig::*>) {
                c.*f = v.empty() ? 0.0 : common::parse_double(v, p.key);
            } else if constexpr (std::is_same_v<F, bool JobConfig::*>) {
                c.*f = v == "true";
            } else if constexpr (std::is_same_v<F, uint64_t JobConfig::*>) {
                c.*f = v.empty() ? 0 : common::parse_uint64(v, p.key);
            } else {
                c.*f = v.empty() ? 0 : common::parse_int64(v, p.key);
            }
        },
        p.field);
}

}  // namespace nar::jobs
