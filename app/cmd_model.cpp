// nar model info: a model configuration and its parameter count per part.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "common/error.h"
#include "jobs/params.h"
#include "model/model_config.h"
#include "model/param_count.h"
#include "model/predictor.h"

namespace nar::app {

namespace {

struct InfoArgs {
    std::string preset = "latency";
    std::map<std::string, std::string> model;  // model rows of the parameter table
    int node_dim = -1, static_dim = -1;
    std::vector<std::string> sets;  // key=value
};

model::ModelConfig build_config(const InfoArgs& a) {
    std::map<std::string, std::string> overrides = a.model;
    for (const auto& kv : a.sets) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos) throw common::Error("--set needs key=value, got '" + kv + "'");
        overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto c = model::with_overrides(model::ModelConfig::preset(a.preset), overrides);
    // The GNN baseline reads raw features (model.md §6) unless told otherwise.
    if (overrides.count("structure") && c.structure == model::Structure::Gnn &&
        c.task == model::Task::Latency) {
        c.node_dim = 44;
        c.static_dim = 4;
    }
    if (a.node_dim >= 0) c.node_dim = a.node_dim;
    if (a.static_dim >= 0) c.static_dim = a.static_dim;
    c.validate();
    return c;
}

void run_info(const InfoArgs& a) {
    const auto cfg = build_config(a);
    model::Predictor m(cfg);
    const auto n = model::count_parameters(m);
    std::printf("# model config\n%s\n", cfg.to_text().c_str());
    std::printf("%-28s %14s\n", "part", "parameters");
    auto row = [](const char* name, int64_t v) {
        std::printf("%-28s %14lld\n", name, static_cast<long long>(v));
    };
    row(cfg.structure == model::Structure::Gnn ? "graphsage layers" : "attention layers",
        n.attention);
    if (cfg.structure == model::Structure::Transformer) {
        row("ffn layernorms", n.ffn_norm);
        row(cfg.ffn == model::Ffn::Grouped ? "ffn (grouped)" : "ffn (dense)", n.ffn);
        row("layer scale", n.layer_scale);
    }
    if (cfg.task == model::Task::Latency) row("static projection", n.static_proj);
    if (cfg.task == model::Task::Accuracy) row("layer fusion", n.fusion);
    row("head mlp", n.head);
    row("total", n.total);
    if (cfg.structure == model::Structure::Transformer) {
        // The other FFN variant, to show what grouping saves.
        auto other = cfg;
        other.ffn = cfg.ffn == model::Ffn::Grouped ? model::Ffn::Dense : model::Ffn::Grouped;
        other.validate();
        model::Predictor mo(other);
        const auto no = model::count_parameters(mo);
        const int64_t grouped = cfg.ffn == model::Ffn::Grouped ? n.ffn : no.ffn;
        const int64_t dense = cfg.ffn == model::Ffn::Dense ? n.ffn : no.ffn;
        std::printf("\nffn grouped %lld vs dense %lld: dense/grouped = %.2f\n",
                    static_cast<long long>(grouped), static_cast<long long>(dense),
                    grouped ? static_cast<double>(dense) / grouped : 0.0);
    }
}

}  // namespace

void add_model_commands(CLI::App& app) {
    auto* model = app.add_subcommand("model", "NAR-Former V2 model tools");
    model->require_subcommand(1);
    auto* info = model->add_subcommand("info", "print a model config and its parameter counts");
    auto a = std::make_shared<InfoArgs>();
    info->add_option("--preset", a->preset, "latency|accuracy|latency_gnn")->capture_default_str();
    for (const auto& p : jobs::param_table()) {
        if (!p.model) continue;
        info->add_option_function<std::string>(
                jobs::cli_flag(p),
                [a, p](const std::string& v) {
                    a->model[p.key] = jobs::canonical_value(p, v, "nar model info");
                },
                p.help)
            ->type_name(jobs::cli_value_name(p));
    }
    info->add_option("--node-dim", a->node_dim, "node feature width");
    info->add_option("--static-dim", a->static_dim, "static feature width");
    info->add_option("--set", a->sets, "any config field, key=value (repeatable)");
    info->callback([a] { run_info(*a); });
}

}  // namespace nar::app
