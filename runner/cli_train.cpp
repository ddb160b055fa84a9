// `nar train` (one job, in-process; data-parallel under mpirun) and
// `nar predict` (a saved model on new networks or cells).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "common/error.h"
#include "data/cell.h"
#include "data/nb101.h"
#include "data/nb201.h"
#include "data/onnx_graph.h"
#include "data/tokenizer.h"
#include "jobs/job_id.h"
#include "model/model_io.h"
#include "runner/cli.h"
#include "runner/collate.h"
#include "runner/job_runner.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"
#include "runner/study_data.h"

namespace nar::runner {

namespace {

struct TrainCli {
    std::map<std::string, std::string> params;
    std::string out, save_model, id = "train";
    bool resume = false;
};

struct PredictCli {
    std::string model;
    std::vector<std::string> onnx;
    std::string cells;
    int64_t batch = 1;
};

int run_train(const TrainCli& cli) {
    install_stop_handlers();
    const MpiInfo& mpi = mpi_init();
    std::unique_ptr<Communicator> comm = mpi.active && mpi.world_size > 1
                                             ? make_mpi_communicator(MPI_COMM_WORLD)
                                             : make_self_communicator();
    if (mpi.world_rank != 0) spdlog::set_level(spdlog::level::warn);
    auto params = cli.params;
    if (!params.count("threads")) {
        set_compute_threads(default_threads_per_rank(mpi.local_size));
    }
    jobs::JobSpec spec;
    spec.id = cli.id;
    spec.params = params;
    spec.seed = params.count("seed") ? std::stoull(params.at("seed")) : 0;
    spec.params.erase("seed");
    spec.result_path = cli.out;
    JobOptions opts;
    opts.resume = cli.resume;
    opts.save_model_path = cli.save_model;
    if (!cli.resume && comm->rank() == 0) {
        std::remove(checkpoint_path_for(cli.out).c_str());  // a fresh run starts over
    }
    comm->barrier();
    JobOutcome o = run_job(spec, *comm, opts);
    int code = 0;
    if (o.end == JobEnd::done) {
        if (comm->rank() == 0) {
            auto& m = o.result.metrics;
            spdlog::info("done: {} -> {}", cli.id, cli.out);
            spdlog::info(
                "test: MAPE {:.2f}%  Acc(10%) {:.2f}%  Acc(5%) {:.2f}%  Acc(1%) {:.2f}%  "
                "Kendall tau {:.4f}  (n={}, best epoch {})",
                100 * m["mape"], 100 * m["acc10"], 100 * m["acc5"], 100 * m["acc1"],
                m["kendall_tau"], static_cast<int64_t>(m["n"]), o.result.best_epoch + 1);
        }
    } else if (o.end == JobEnd::interrupted) {
        if (comm->rank() == 0) {
            spdlog::warn("stopped by signal {}; checkpoint {} written; rerun with --resume",
                         stop_signal(), checkpoint_path_for(cli.out));
        }
        code = kExitInterrupted;
    } else {
        code = 1;  // the failed result (with the message) was written by the leader
    }
    comm.reset();
    mpi_finalize();
    return code;
}

std::vector<data::Cell> read_cells(const std::string& path, const std::string& study) {
    std::ifstream in(path);
    if (!in) throw common::Error(path + ": cannot open the cells file");
    std::vector<data::Cell> cells;
    std::string line;
    int64_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
        const std::string where = path + ":" + std::to_string(lineno);
        try {
            if (study.rfind("nb201", 0) == 0) {
                cells.push_back(data::nb201_cell(static_cast<int64_t>(cells.size()), line));
            } else {
                // NAS-Bench-101: "<adjacency 0/1 digits, row-major> <op,op,...>"
                std::istringstream ss(line);
                std::string adj, ops;
                ss >> adj >> ops;
                data::Cell c;
                c.index = static_cast<int64_t>(cells.size());
                std::stringstream os(ops);
                std::string op;
                while (std::getline(os, op, ',')) c.ops.push_back(data::nb101_label(op));
                c.n = static_cast<int>(c.ops.size());
                if (adj.size() != static_cast<size_t>(c.n * c.n)) {
                    throw common::Error("adjacency has " + std::to_string(adj.size()) +
                                        " digits, expected " + std::to_string(c.n * c.n));
                }
                for (char ch : adj) c.adj.push_back(ch == '1');
                c.arch = line;
                data::check_cell(c, data::kNb101NumLabels, where);
                cells.push_back(c);
            }
        } catch (const common::Error& e) {
            throw common::Error(where + ": " + e.what());
        }
    }
    if (cells.empty()) throw common::Error(path + ": no cells in the file");
    return cells;
}

int run_predict(const PredictCli& cli) {
    ModelInputs inputs = read_model_inputs(cli.model);
    auto [cfg, model] = model::load_model(cli.model);
    model->eval();
    torch::NoGradGuard guard;
    const bool f64 = model->parameters().front().scalar_type() == torch::kFloat64;
    const torch::Dtype dtype = f64 ? torch::kFloat64 : torch::kFloat32;
    const bool cells_model = inputs.study.rfind("nb", 0) == 0;

    std::vector<std::string> labels;
    std::vector<data::Graph> graphs;
    if (!cli.cells.empty()) {
        if (!cells_model) {
            throw common::Error(cli.model + ": this model predicts networks (study " +
                                inputs.study + "); give ONNX files, not --cells");
        }
        data::TokenizerOptions tok;
        tok.op_one_hot = inputs.encoding == "onehot";
        for (auto& c : read_cells(cli.cells, inputs.study)) {
            labels.push_back(c.arch);
            graphs.push_back(data::tokenize_cell(c, tok));
        }
    } else {
        if (cells_model) {
            throw common::Error(cli.model + ": this model predicts NAS-Bench cells (study " +
                                inputs.study + "); use --cells FILE");
        }
        if (cli.onnx.empty()) throw common::Error("give ONNX files to predict, or --cells FILE");
        data::ExtractOptions opt;
        opt.encoding = data::parse_node_encoding(inputs.encoding);
        for (auto& path : cli.onnx) {
            labels.push_back(path);
            graphs.push_back(data::extract_onnx_graph(path, cli.batch, opt).graph);
        }
    }
    std::vector<const data::Graph*> ptrs;
    for (auto& g : graphs) ptrs.push_back(&g);
    auto pred =
        model->forward(collate(ptrs, dtype, torch::kCPU)).to(torch::kFloat64) * inputs.target_scale;
    const std::string what =
        inputs.target.empty() ? "predicted latency (ms)" : "predicted " + inputs.target;
    std::printf("%-60s  %s\n", cells_model ? "cell" : "network", what.c_str());
    for (size_t i = 0; i < labels.size(); ++i) {
        std::printf("%-60s  %.6g\n", labels[i].c_str(),
                    pred[static_cast<int64_t>(i)].item<double>());
    }
    return 0;
}

}  // namespace

void add_train_commands(CLI::App& app) {
    auto cli = std::make_shared<TrainCli>();
    auto* train =
        app.add_subcommand("train", "Train and test one job (data-parallel under mpirun)");
    // Options that feed TrainConfig. Their defaults are the paper's per study
    // (see README); the resolved values are printed and stored in the result.
    const std::vector<std::pair<std::string, std::string>> options = {
        {"study",
         "nnlqp-in-domain | nnlqp-unseen | nb101-accuracy | nb201-accuracy | nb201-latency"},
        {"data-root",
         "NNLQP root (gt.txt/gt_stage.txt + ONNX), or NB101 tfrecord/CSV; default: bundled"},
        {"holdout", "nnlqp-unseen: the family to test on"},
        {"platform", "NNLQP platform filter"},
        {"target", "cells: accuracy:cifar10 (default) | accuracy:cifar100 | latency:<device> ..."},
        {"encoding", "networks: pe (default) | raw | op_pe; cells: pe (default) | onehot"},
        {"test", "NAS test set: whole (paper, default) | rest"},
        {"fraction", "NAS training fraction (nb201 default 0.10, nb101 0.001)"},
        {"train-count", "NAS training cells (instead of --fraction)"},
        {"val-count", "NAS validation cells (default 200)"},
        {"val-fraction", "NNLQP: share of each family's training rows validated on (default 0.05)"},
        {"split-seed", "seed of the fixed data split (default 0)"},
        {"variant", "Table 5 row: row1 .. row6"},
        {"structure", "transformer (default) | gnn"},
        {"attention", "local (default) | global"},
        {"ta-enhance", "type-aware enhancement: true (default) | false"},
        {"ffn", "grouped (default) | dense"},
        {"hidden", "hidden size D (default 512)"},
        {"layers", "layers L (latency 2, accuracy 6)"},
        {"fc-hidden", "head width (default = hidden)"},
        {"dropout", "dropout (default 0.05)"},
        {"epochs", "epochs (latency 50, accuracy 1000)"},
        {"batch-size", "global batch (latency 16, accuracy 8)"},
        {"lr", "peak learning rate (latency 1e-3, accuracy 1e-4)"},
        {"warmup-fraction", "share of steps for linear warm-up (default 0.1)"},
        {"sr-weight", "sequence-ranking loss weight (accuracy 0.1)"},
        {"ac-weight", "architecture-consistency loss weight (accuracy 0.5)"},
        {"dtype", "float32 (default) | float64"},
        {"device", "cpu (default) | cuda | cuda:N"},
        {"threads", "compute threads per rank (default: cores / ranks on the node)"},
        {"seed", "job seed (default 0)"},
        {"eval-batch-size", "evaluation batch (default 256)"},
        {"target-scale", "none | mean: train on targets / their mean (nb201-latency default mean)"},
    };
    for (auto& [name, help] : options) {
        std::string key = name;
        for (auto& ch : key) ch = ch == '-' ? '_' : ch;
        train->add_option_function<std::string>(
            "--" + name, [cli, key](const std::string& v) { cli->params[key] = v; }, help);
    }
    train->get_option("--study")->required();
    train->add_option("--out", cli->out, "result file (HDF5)")->required();
    train->add_option("--save-model", cli->save_model,
                      "also save the trained model (for nar predict)");
    train->add_option("--id", cli->id, "job id stored in the result")->capture_default_str();
    train->add_flag("--resume", cli->resume, "continue from the checkpoint next to --out");
    train->callback([cli] {
        int code = run_train(*cli);
        if (code != 0) throw CLI::RuntimeError(code);
    });

    auto pc = std::make_shared<PredictCli>();
    auto* predict =
        app.add_subcommand("predict", "Predict latency of ONNX networks or accuracy of cells");
    predict->add_option("--model", pc->model, "model file from nar train --save-model")
        ->required()
        ->check(CLI::ExistingFile);
    predict->add_option("networks", pc->onnx, "ONNX files");
    predict->add_option("--cells", pc->cells,
                        "file of cells, one per line: NB201 cell strings, or NB101 "
                        "'<adjacency digits> <op,op,...>'");
    predict->add_option("--batch", pc->batch, "batch size the latency is predicted for")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    predict->callback([pc] { run_predict(*pc); });
}

}  // namespace nar::runner
