// `nar train` (one job, in-process; data-parallel under mpirun) and
// `nar predict` (a saved model on new networks or cells).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.h"
#include "common/error.h"
#include "data/cell_text.h"
#include "data/onnx_graph.h"
#include "data/tokenizer.h"
#include "jobs/job_config.h"
#include "jobs/job_id.h"
#include "jobs/params.h"
#include "jobs/study.h"
#include "model/model_io.h"
#include "runner/collate.h"
#include "runner/job_runner.h"
#include "runner/mpi_env.h"
#include "runner/param_help.h"
#include "runner/signals.h"
#include "runner/study_data.h"

namespace nar::app {

namespace {

struct TrainCli {
    std::map<std::string, std::string> params;
    std::string out, save_model, id;  // id empty: derived from the config
    bool resume = false;
};

struct PredictCli {
    std::string model;
    std::vector<std::string> onnx;
    std::string cells;
    int64_t batch = 1;
};

int run_train(const TrainCli& cli) {
    runner::install_stop_handlers();
    const runner::MpiInfo& mpi = runner::mpi_init();
    std::unique_ptr<runner::Communicator> comm = mpi.active && mpi.world_size > 1
                                                     ? runner::make_mpi_communicator(MPI_COMM_WORLD)
                                                     : runner::make_self_communicator();
    if (mpi.world_rank != 0) spdlog::set_level(spdlog::level::warn);
    auto params = cli.params;
    if (!params.count("threads")) {
        runner::set_compute_threads(runner::default_threads_per_rank(mpi.local_size));
    }
    const jobs::JobConfig cfg = jobs::resolve_job_config(params, "nar train");
    jobs::JobSpec spec;
    spec.params = params;
    spec.seed = cfg.seed;
    spec.params.erase("seed");
    spec.config_hash = jobs::config_hash(cfg);
    spec.id = cli.id.empty() ? "train/" + cfg.study + "/" + spec.config_hash : cli.id;
    spec.result_path = cli.out;
    if (!cli.save_model.empty() && std::filesystem::weakly_canonical(cli.save_model) ==
                                       std::filesystem::weakly_canonical(cli.out)) {
        throw common::Error(cli.out + ": --out and --save-model name the same file");
    }
    runner::JobOptions opts;
    opts.resume = cli.resume;
    opts.save_model_path = cli.save_model;
    if (!cli.resume && comm->rank() == 0) {
        std::remove(runner::checkpoint_path_for(cli.out).c_str());  // a fresh run starts over
    }
    comm->barrier();
    runner::JobOutcome o = runner::run_job(spec, *comm, opts);
    int code = 0;
    if (o.end == jobs::JobStatus::done) {
        if (comm->rank() == 0) {
            auto& m = o.result.metrics;
            spdlog::info("done: {} -> {}", spec.id, cli.out);
            spdlog::info(
                "test: MAPE {:.2f}%  Acc(10%) {:.2f}%  Acc(5%) {:.2f}%  Acc(1%) {:.2f}%  "
                "Kendall tau {:.4f}  (n={}, best epoch {})",
                100 * m["mape"], 100 * m["acc10"], 100 * m["acc5"], 100 * m["acc1"],
                m["kendall_tau"], static_cast<int64_t>(m["n"]), o.result.best_epoch + 1);
        }
    } else if (o.end == jobs::JobStatus::interrupted) {
        if (comm->rank() == 0) {
            spdlog::warn("stopped by signal {}; checkpoint {} written; rerun with --resume",
                         runner::stop_signal(), runner::checkpoint_path_for(cli.out));
        }
        code = runner::kExitInterrupted;
    } else {
        code = 1;  // the failed result (with the message) was written by the leader
    }
    comm.reset();
    runner::mpi_finalize();
    return code;
}

int run_predict(const PredictCli& cli) {
    runner::ModelInputs inputs = runner::read_model_inputs(cli.model);
    auto [cfg, model] = model::load_model(cli.model);
    model->eval();
    torch::NoGradGuard guard;
    const bool f64 = model->parameters().front().scalar_type() == torch::kFloat64;
    const torch::Dtype dtype = f64 ? torch::kFloat64 : torch::kFloat32;
    const bool cells_model = jobs::study_def(inputs.study).cells();

    std::vector<std::string> labels;
    std::vector<data::Graph> graphs;
    if (!cli.cells.empty()) {
        if (!cells_model) {
            throw common::Error(cli.model + ": this model predicts networks (study " +
                                inputs.study + "); give ONNX files, not --cells");
        }
        data::TokenizerOptions tok;
        tok.op_one_hot = inputs.encoding == "onehot";
        for (auto& c : data::read_cells_file(cli.cells, jobs::study_def(inputs.study).benchmark)) {
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
    auto pred = model->forward(runner::collate(ptrs, dtype, torch::kCPU)).to(torch::kFloat64) *
                inputs.target_scale;
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
    // Every job parameter, from the one table; help lines carry the per-study defaults.
    for (const auto& p : jobs::param_table()) {
        const std::string key = p.key;
        train
            ->add_option_function<std::string>(
                jobs::cli_flag(p), [cli, key](const std::string& v) { cli->params[key] = v; },
                runner::param_help(p))
            ->type_name(jobs::cli_value_name(p));
    }
    train->get_option("--study")->required();
    train->add_option("--out", cli->out, "result file (HDF5)")->required();
    train->add_option("--save-model", cli->save_model,
                      "also save the trained model (for nar predict)");
    train->add_option("--id", cli->id,
                      "job id stored in the result (default: train/<study>/<config hash>, "
                      "distinct per configuration and seed)");
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

}  // namespace nar::app
