// nar zoo generate|measure|nb201|families: NNLQP-style network families as ONNX,
// their latency measured on this machine, and the NAS-Bench-201 whole-network dataset.
#include <mpi.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <sstream>

#include "app/commands.h"
#include "common/error.h"
#include "data/zoo/family.h"
#include "data/zoo/zoo_generate.h"
#include "data/zoo/zoo_nb201.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"
#include "runner/zoo_measure.h"

namespace nar::app {

namespace {

struct GenerateArgs {
    std::vector<std::string> families;
    data::zoo::GenerateOptions opt;
    bool unfolded = false;
};

void run_generate(GenerateArgs a) {
    a.opt.net.fold_bn = !a.unfolded;
    std::vector<std::string> names;
    for (const auto& f : a.families) {
        std::stringstream ss(f);
        for (std::string n; std::getline(ss, n, ',');)
            if (!n.empty()) names.push_back(n);
    }
    for (const auto& n : names) data::zoo::find_family(n);  // all names checked before writing
    for (const auto& n : names) {
        a.opt.family = n;
        data::zoo::generate_zoo(a.opt);
    }
}

int run_measure(runner::MeasureOptions o) {
    const runner::MpiInfo& mpi = runner::mpi_init();
    o.rank = mpi.world_rank;
    o.ranks = mpi.world_size;
    if (mpi.active && mpi.world_size > 1) o.barrier = [] { MPI_Barrier(MPI_COMM_WORLD); };
    runner::MeasureReport rep;
    try {
        rep = runner::measure_zoo(o);
    } catch (...) {
        runner::mpi_finalize();
        throw;
    }
    runner::mpi_finalize();
    if (rep.failed > 0)
        throw common::Error("zoo measure: " + std::to_string(rep.failed) +
                            " graph(s) could not be measured; first: " + rep.first_failure);
    return rep.interrupted ? runner::kExitInterrupted : 0;
}

}  // namespace

void add_zoo_commands(CLI::App& app) {
    auto* zoo = app.add_subcommand("zoo", "Model zoo: generate network families, measure latency");
    zoo->require_subcommand(1);

    auto ga = std::make_shared<GenerateArgs>();
    auto* gen = zoo->add_subcommand(
        "generate", "Write N ONNX graphs of a family (model 0 = the torchvision network) + gt.txt");
    gen->add_option("--family,-f", ga->families, "family (comma list allowed; `nar zoo families`)")
        ->required();
    gen->add_option("--count,-n", ga->opt.count, "graphs per family")
        ->required()
        ->check(CLI::PositiveNumber);
    gen->add_option("--seed", ga->opt.seed, "sampling seed")->capture_default_str();
    gen->add_option("--out,-o", ga->opt.out, "zoo directory")->required();
    gen->add_option("--input", ga->opt.net.input, "input side (nasbench201 is always 32)")
        ->check(CLI::Range(16, 1024))
        ->capture_default_str();
    gen->add_option("--batch", ga->opt.net.batch, "batch size")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    gen->add_option("--test-fraction", ga->opt.test_fraction,
                    "last fraction of each family -> test stage")
        ->check(CLI::Range(0.0, 0.9))
        ->capture_default_str();
    gen->add_flag("--no-fold-bn", ga->unfolded,
                  "emit BatchNormalization nodes (default: folded into Conv, as an eval export)");
    gen->callback([ga] { run_generate(*ga); });

    auto mo = std::make_shared<runner::MeasureOptions>();
    auto* meas = zoo->add_subcommand(
        "measure", "Measure every unmeasured graph of a zoo directory (resumable; MPI-splittable)");
    meas->add_option("dir", mo->dir, "zoo directory")->required();
    meas->add_option("--device", mo->device, "cpu|cuda")
        ->check(CLI::IsMember({"cpu", "cuda"}))
        ->capture_default_str();
    meas->add_option("--threads", mo->threads, "threads per rank")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    meas->add_option("--warmup", mo->warmup, "warm-up runs per graph")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    meas->add_option("--repeats", mo->repeats, "timed runs per graph")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    meas->add_option("--max-cv", mo->max_cv, "re-measure a graph whose CV exceeds this")
        ->check(CLI::Range(1e-6, 10.0))
        ->capture_default_str();
    meas->add_option("--max-remeasure", mo->max_remeasure, "extra attempts for a noisy graph")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    meas->add_option("--platform", mo->platform,
                     "platform name in gt.txt (default <device>-t<threads>)");
    meas->add_option("--limit", mo->limit, "measure at most N graphs per rank now")
        ->check(CLI::NonNegativeNumber);
    meas->callback([mo] {
        const int code = run_measure(*mo);
        if (code != 0) throw CLI::RuntimeError(code);
    });

    auto na = std::make_shared<data::zoo::Nb201DatasetOptions>();
    auto* nb = zoo->add_subcommand(
        "nb201",
        "The 15,625 NAS-Bench-201 networks as ONNX, labelled with a device's bundled latency");
    nb->add_option("--device", na->device, "latency column (raspi4, pixel3, gold_6226, ...)")
        ->required();
    nb->add_option("--out,-o", na->out, "output directory")->required();
    nb->add_flag("--keep-degenerate", na->keep_degenerate, "keep cells with no input->output path");
    nb->add_option("--limit", na->limit, "only cells with index < N (0 = all)")
        ->check(CLI::NonNegativeNumber);
    nb->callback([na] { data::zoo::write_nb201_dataset(*na); });

    auto* fam = zoo->add_subcommand("families", "List the families and their torchvision variants");
    fam->callback([] {
        for (const auto& f : data::zoo::zoo_families()) {
            std::string v;
            for (const auto& x : f.variants) v += (v.empty() ? "" : " ") + x;
            std::printf("%-14s %-40s %s\n", f.name.c_str(), f.space.empty() ? "-" : f.space.c_str(),
                        v.c_str());
        }
    });
}

}  // namespace nar::app
