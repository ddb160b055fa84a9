// nar data features|inspect|nnlqp: the ONNX encoder and NNLQP datasets from the
// command line.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "app/commands.h"
#include "common/error.h"
#include "data/feature_file.h"
#include "data/nnlqp.h"
#include "data/onnx_graph.h"

namespace nar::app {

namespace {

namespace fs = std::filesystem;

struct FeaturesArgs {
    std::string onnx, out, encoding = "pe";
    int64_t batch = 1;
    bool strict = false, fixed_flops = false;
};

data::ExtractOptions extract_options(const std::string& encoding, bool strict, bool fixed) {
    data::ExtractOptions o;
    o.encoding = data::parse_node_encoding(encoding);
    o.strict = strict;
    o.flops = fixed ? data::FlopsMode::fixed : data::FlopsMode::compat;
    return o;
}

void run_features(const FeaturesArgs& a) {
    const auto opt = extract_options(a.encoding, a.strict, a.fixed_flops);
    const data::OnnxGraph g = data::extract_onnx_graph(a.onnx, a.batch, opt);
    if (fs::exists(a.out) && fs::equivalent(a.out, a.onnx)) {
        throw common::Error(a.out + ": the output would overwrite the input ONNX file");
    }
    data::write_feature_file(a.out, g, a.onnx, a.batch, opt);
    spdlog::info("{}: {} nodes, {} edges, batch {} -> {}", a.onnx, g.graph.num_nodes,
                 g.graph.edges.size(), a.batch, a.out);
}

void run_inspect(const std::string& onnx, int64_t batch, bool fixed) {
    const auto opt = extract_options("pe", false, fixed);
    const data::OnnxGraph g = data::extract_onnx_graph(onnx, batch, opt);
    std::map<std::string, int> hist;
    for (const auto& t : g.op_types) ++hist[t];
    std::printf("file:          %s\n", onnx.c_str());
    std::printf("batch:         %lld\n", static_cast<long long>(batch));
    std::printf("onnx nodes:    %lld\n", static_cast<long long>(g.onnx_nodes));
    std::printf("graph nodes:   %lld\n", static_cast<long long>(g.graph.num_nodes));
    std::printf("edges:         %zu (directed)\n", g.graph.edges.size());
    std::printf("FLOPs:         %.17g\n", g.static_raw[1]);
    std::printf("params:        %.17g\n", g.static_raw[2]);
    std::printf("memory access: %.17g\n", g.static_raw[3]);
    std::printf("flops mode:    %s\n", fixed ? "fixed" : "compat");
    std::string unknown;
    for (const auto& u : g.unknown_ops) unknown += (unknown.empty() ? "" : ", ") + u;
    std::printf("unknown ops:   %s\n", unknown.empty() ? "(none)" : unknown.c_str());
    std::printf("op types:\n");
    for (const auto& [t, c] : hist) std::printf("  %-20s %d\n", t.c_str(), c);
}

struct NnlqpArgs {
    std::string root, holdout, platform, encoding = "pe", cache_dir;
    double val_fraction = 0.05;
    uint64_t seed = 0;
    int threads = 0;
    bool no_cache = false, strict = false, fixed_flops = false;
};

void run_nnlqp(const NnlqpArgs& a) {
    data::NnlqpSplitOptions so;
    if (!a.holdout.empty()) {
        so.kind = data::NnlqpSplitKind::holdout;
        so.holdout_family = a.holdout;
    }
    so.platform = a.platform;
    so.val_fraction = a.val_fraction;
    so.seed = a.seed;
    data::NnlqpLoadOptions lo;
    lo.extract = extract_options(a.encoding, a.strict, a.fixed_flops);
    lo.use_cache = !a.no_cache;
    lo.cache_dir = a.cache_dir;
    lo.threads = a.threads;
    const auto d = data::load_nnlqp(a.root, so, lo);
    std::printf("split:    %s\n",
                a.holdout.empty() ? "in-domain" : ("holdout " + a.holdout).c_str());
    std::printf("train:    %zu\nval:      %zu\ntest:     %zu\nexcluded: %zu\n", d.train.size(),
                d.val.size(), d.test.size(), d.n_failed);
    for (const auto& f : d.failures) std::printf("  %s\n", f.c_str());
}

}  // namespace

void add_data_commands(CLI::App& app) {
    auto* data_cmd = app.add_subcommand("data", "ONNX features and datasets");
    data_cmd->require_subcommand(1);

    auto fa = std::make_shared<FeaturesArgs>();
    auto* features = data_cmd->add_subcommand(
        "features", "Extract NAR-Former V2 features of one ONNX network into an HDF5 file");
    features->add_option("onnx", fa->onnx, "ONNX file")->required();
    features->add_option("--batch,-b", fa->batch, "batch size")->required();
    features
        ->add_option("--encoding", fa->encoding,
                     "pe (reference), raw (GNN baseline, 44-d) "
                     "or op_pe (op type as PE_trans)")
        ->check(CLI::IsMember({"pe", "raw", "op_pe"}))
        ->capture_default_str();
    features->add_flag("--strict", fa->strict, "fail on operators outside the op table");
    features->add_flag("--fixed-flops", fa->fixed_flops,
                       "corrected FLOPs counts instead of the reference's");
    features->add_option("--out,-o", fa->out, "output HDF5 file")->required();
    features->callback([fa] { run_features(*fa); });

    auto ia = std::make_shared<FeaturesArgs>();
    auto* inspect = data_cmd->add_subcommand("inspect", "Summarise an ONNX network's graph");
    inspect->add_option("onnx", ia->onnx, "ONNX file")->required();
    inspect->add_option("--batch,-b", ia->batch, "batch size")->capture_default_str();
    inspect->add_flag("--fixed-flops", ia->fixed_flops, "corrected FLOPs counts");
    inspect->callback([ia] { run_inspect(ia->onnx, ia->batch, ia->fixed_flops); });

    auto na = std::make_shared<NnlqpArgs>();
    auto* nnlqp = data_cmd->add_subcommand(
        "nnlqp",
        "Load an NNLQP root (gt_stage.txt/gt.txt + ONNX), build its feature cache, "
        "print the split");
    nnlqp->add_option("root", na->root, "dataset root")->required();
    nnlqp->add_option("--holdout", na->holdout, "leave this family out (unseen-structure split)");
    nnlqp->add_option("--platform", na->platform, "keep only this platform");
    nnlqp->add_option("--val-fraction", na->val_fraction, "validation share of training rows")
        ->capture_default_str();
    nnlqp->add_option("--seed", na->seed, "validation shuffle seed")->capture_default_str();
    nnlqp->add_option("--encoding", na->encoding, "pe|raw|op_pe")
        ->check(CLI::IsMember({"pe", "raw", "op_pe"}))
        ->capture_default_str();
    nnlqp->add_option("--threads", na->threads, "extraction threads (0 = all cores)");
    nnlqp->add_option("--cache-dir", na->cache_dir, "cache directory (default ROOT/.nar_cache)");
    nnlqp->add_flag("--no-cache", na->no_cache, "do not read or write the feature cache");
    nnlqp->add_flag("--strict", na->strict, "fail rows with operators outside the op table");
    nnlqp->add_flag("--fixed-flops", na->fixed_flops, "corrected FLOPs counts");
    nnlqp->callback([na] { run_nnlqp(*na); });
}

}  // namespace nar::app
