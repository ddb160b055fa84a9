// bench_train_step: one training step (forward + backward + Adam) at the
// paper's sizes, as a fraction of this machine's measured GEMM limit.
//   latency : hidden 512, 2 layers, one batch of the 16 golden ONNX graphs
//   accuracy: hidden 512, 6 layers, one batch of 8 NB201 cells
// The step's GEMMs are counted (shapes, FLOPs) and timed on their own: that is
// the ceiling. Configurations are interleaved over --repeats rounds and
// reported as min/median/max. Other work on the machine is measured from /proc
// and the numbers are withheld when there was any (unless --allow-load).
// Usage: bench_train_step [--steps N] [--repeats N] [--warmup N] [--threads 1,2]
//          [--tasks latency,accuracy] [--precision float32|bf16] [--allow-load]
//          [--blas-core auto|keep|NAME] [--shapes] [--profile STEPS]
//          [--optimizer flat|torch]
//          [--fixtures DIR]
// nar's start-up sets the start-up settings (common/startup_env.h) as for nar.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "bench/gemm_ceiling.h"
#include "bench/machine_load.h"
#include "bench/op_profile.h"
#include "common/blas_startup.h"
#include "common/error.h"
#include "common/h5.h"
#include "common/heap.h"
#include "model/gemm.h"
#include "model/graph_batch.h"
#include "model/losses.h"
#include "model/matmul_precision.h"
#include "model/predictor.h"
#include "runner/collate.h"
#include "runner/flat_adam.h"

namespace {

using nar::common::H5File;
using nar::model::GraphBatch;
using nar::model::ModelConfig;
using nar::model::Predictor;
using Clock = std::chrono::steady_clock;

torch::Tensor read_f32(const H5File& f, const std::string& name) {
    nar::common::Shape shape;
    auto v = f.read_f32(name, &shape);
    std::vector<int64_t> s(shape.begin(), shape.end());
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kFloat32)
        .clone()
        .view(s);
}

// The 16 golden graphs collated exactly as nar train collates (sparse edges).
GraphBatch latency_batch(const std::string& fixtures, int64_t* total_nodes) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(fixtures + "/golden/features")) {
        const std::string p = e.path().string();
        if (p.size() > 6 && p.substr(p.size() - 6) == "_b1.h5") files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    std::vector<nar::data::Graph> graphs;
    *total_nodes = 0;
    for (const auto& p : files) {
        H5File f(p, H5File::Mode::Read);
        nar::common::Shape shape;
        nar::data::Graph g;
        g.x = f.read_f32("x", &shape);
        g.num_nodes = static_cast<int64_t>(shape.at(0));
        g.feat_dim = static_cast<int64_t>(shape.at(1));
        const auto e = f.read_i64("edges", &shape);
        for (size_t k = 0; k + 1 < e.size(); k += 2) g.edges.emplace_back(e[k], e[k + 1]);
        g.static_feat = f.read_f32("static", &shape);
        *total_nodes += g.num_nodes;
        graphs.push_back(std::move(g));
    }
    std::vector<const nar::data::Graph*> ptrs;
    for (const auto& g : graphs) ptrs.push_back(&g);
    return nar::runner::collate(ptrs, torch::kFloat32, torch::kCPU);
}

GraphBatch accuracy_batch(const std::string& fixtures) {
    H5File f(fixtures + "/golden/tokenizer/nb201.h5", H5File::Mode::Read);
    GraphBatch b;
    b.x = read_f32(f, "netcode").narrow(0, 0, 8).contiguous();
    b.adj = read_f32(f, "adj_sym").narrow(0, 0, 8).contiguous();
    b.mask = torch::ones({8, b.x.size(1)});
    return b;
}

struct Options {
    int steps = 5, repeats = 5, warmup = 2;
    std::vector<int> threads = {1, 2};
    std::vector<std::string> tasks = {"latency", "accuracy"};
    bool bf16 = false, allow_load = false, shapes = false, flat_adam = true;
    int profile = 0;  // steps to profile per configuration
    std::string fixtures = NAR_FIXTURES;
};

struct StepTimes {
    double fwd = 0, bwd = 0, opt = 0;
    double cpu = 0;  // process CPU time (all threads): less disturbed by other jobs than wall time
    double step() const { return fwd + bwd + opt; }
};

// One configuration: a model, its optimiser and its batch, stepped on demand.
struct Config {
    std::string task;
    int threads = 1;
    bool accuracy = false;
    Predictor model{nullptr};
    std::unique_ptr<torch::optim::Adam> opt;
    const GraphBatch* batch = nullptr;
    torch::Tensor y;
    std::vector<nar::bench::GemmShape> gemms;
    std::vector<StepTimes> rounds;  // mean step of each repeat
    std::vector<double> ceilings;   // ceiling ms measured beside each repeat
    std::vector<double> other_cores, stolen_cores;
};

StepTimes step(Config& c, bool bf16) {
    const auto t0 = Clock::now();
    nar::runner::release_gradients(*c.opt);  // as the trainer does
    torch::Tensor loss;
    {
        const nar::model::PrecisionGuard precision(bf16 ? nar::model::Precision::BF16
                                                        : nar::model::Precision::Float32);
        const auto pred = c.model->forward(*c.batch);
        loss = nar::model::relative_mse(pred, c.y);
        if (c.accuracy) {
            loss = loss + 0.1 * nar::model::sr_loss(pred, c.y, torch::randperm(c.batch->size()));
        }
    }
    const auto t1 = Clock::now();
    loss.backward();
    const auto t2 = Clock::now();
    c.opt->step();
    const auto t3 = Clock::now();
    const auto ms = [](auto a, auto b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
    };
    return {ms(t0, t1), ms(t1, t2), ms(t2, t3)};
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(item);
    return out;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw nar::common::Error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--steps") {
            o.steps = std::stoi(value());
        } else if (a == "--repeats") {
            o.repeats = std::stoi(value());
        } else if (a == "--warmup") {
            o.warmup = std::stoi(value());
        } else if (a == "--fixtures") {
            o.fixtures = value();
        } else if (a == "--threads") {
            o.threads.clear();
            for (const auto& t : split(value())) o.threads.push_back(std::stoi(t));
        } else if (a == "--tasks") {
            o.tasks = split(value());
        } else if (a == "--precision") {
            o.bf16 = nar::common::parse_precision(value()) == nar::model::Precision::BF16;
            if (o.bf16) nar::model::require_bf16_support("--precision bf16");
        } else if (a == "--profile") {
            o.profile = std::stoi(value());
        } else if (a == "--shapes") {
            o.shapes = true;
        } else if (a == "--optimizer") {
            const std::string v = value();
            if (v != "flat" && v != "torch") throw nar::common::Error("--optimizer: " + v);
            o.flat_adam = v == "flat";
        } else if (a == "--allow-load") {
            o.allow_load = true;
        } else if (a == "--blas-core") {
            value();  // applied by select_blas_core()
        } else {
            throw nar::common::Error("unknown option " + a);
        }
    }
    if (o.steps < 1 || o.repeats < 1 || o.warmup < 0 || o.threads.empty()) {
        throw nar::common::Error("--steps and --repeats must be >= 1, --warmup >= 0");
    }
    return o;
}

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(q * (v.size() - 1) + 0.5)];
}

// Thread scaling within each round (the same minutes of this VM's drifting
// speed): the step's rate at t threads over its rate at the fewest, beside the
// same ratio of the GEMM ceiling, which bounds it.
void print_scaling(const std::vector<Config>& configs) {
    for (const auto& c : configs) {
        const Config* base = nullptr;  // the same task at its fewest threads
        for (const auto& o : configs) {
            if (o.task == c.task && (base == nullptr || o.threads < base->threads)) base = &o;
        }
        if (base == &c) continue;
        std::vector<double> step, ceil;
        for (size_t r = 0; r < c.rounds.size(); ++r) {
            step.push_back(base->rounds[r].step() / c.rounds[r].step());
            ceil.push_back(base->ceilings[r] / c.ceilings[r]);
        }
        std::printf(
            "%s, %d vs %d thread(s), same round: step %.2f/%.2f/%.2fx, GEMM ceiling "
            "%.2f/%.2f/%.2fx (min/med/max)\n",
            c.task.c_str(), c.threads, base->threads, quantile(step, 0), quantile(step, 0.5),
            quantile(step, 1), quantile(ceil, 0), quantile(ceil, 0.5), quantile(ceil, 1));
    }
}

}  // namespace

int main(int argc, char** argv) {
    nar::common::select_blas_core(argc, argv);
    nar::common::keep_freed_memory_in_heap();  // as nar does
    try {
        const Options o = parse(argc, argv);
        torch::set_num_interop_threads(1);
        const double load0 = nar::bench::load_average_1min();
        int64_t lat_nodes = 0;
        const GraphBatch lat = latency_batch(o.fixtures, &lat_nodes);
        const GraphBatch acc = accuracy_batch(o.fixtures);
        std::printf("%s\n", nar::common::blas_core_summary().c_str());
        std::printf("latency batch: %lld graphs, %lld real nodes; accuracy batch: %lld cells\n",
                    static_cast<long long>(lat.size()), static_cast<long long>(lat_nodes),
                    static_cast<long long>(acc.size()));
        std::printf("%s; %d rounds x %d steps per configuration, interleaved; dropout on\n",
                    o.bf16 ? "bf16 products (float32 weights and activations)"
                           : ("float32, model products on " + nar::model::gemm_library()).c_str(),
                    o.repeats, o.steps);

        std::vector<Config> configs;
        for (const auto& task : o.tasks) {
            if (task != "latency" && task != "accuracy") throw nar::common::Error("task " + task);
            for (int t : o.threads) {
                Config c;
                c.task = task;
                c.threads = t;
                c.accuracy = task == "accuracy";
                torch::manual_seed(0);
                c.model = Predictor(ModelConfig::preset(task));
                c.model->train();
                const auto adam = torch::optim::AdamOptions(1e-4);
                if (o.flat_adam) {
                    c.opt = std::make_unique<nar::runner::FlatAdam>(c.model->parameters(), adam);
                } else {
                    c.opt = std::make_unique<torch::optim::Adam>(c.model->parameters(), adam);
                }
                c.batch = c.accuracy ? &acc : &lat;
                c.y = 0.5 + torch::rand({c.batch->size()});
                configs.push_back(std::move(c));
            }
        }
        for (auto& c : configs) {
            nar::bench::use_threads(c.threads);
            for (int w = 0; w < o.warmup; ++w) step(c, o.bf16);
            c.gemms = nar::bench::count_gemms([&] { step(c, o.bf16); });
            if (o.profile > 0) {
                const auto ops = nar::bench::profile_ops(
                    [&] {
                        for (int i = 0; i < o.profile; ++i) step(c, o.bf16);
                    },
                    o.shapes);
                double total = 0;
                for (const auto& op : ops) total += op.self_ms;
                std::printf("%s, %d thread(s): op self time per step (total %.1f ms)\n",
                            c.task.c_str(), c.threads, total / o.profile);
                for (size_t i = 0; i < ops.size() && i < (o.shapes ? 60u : 25u); ++i) {
                    std::printf("  %8.2f ms %6lld calls  %s\n", ops[i].self_ms / o.profile,
                                ops[i].calls / o.profile, ops[i].name.c_str());
                }
            }
            if (o.shapes) {
                std::printf(
                    "%s, %d thread(s): GEMMs of one step (alone: best warm time of the "
                    "calls, run on their own; in step: their calls' time in one counted step, "
                    "summed over threads)\n",
                    c.task.c_str(), c.threads);
                const auto alone =
                    nar::bench::alone_ms(c.gemms, o.bf16 ? torch::kBFloat16 : torch::kFloat32);
                for (size_t i = 0; i < c.gemms.size(); ++i) {
                    const auto& g = c.gemms[i];
                    std::printf(
                        "  %s b=%lld m=%lld k=%lld n=%lld %s%s x%lld  %.3f GFLOP  alone "
                        "%.2f ms  in step %.2f ms\n",
                        g.batched ? "bmm "
                        : g.dnnl  ? "dnnl"
                                  : "mm  ",
                        static_cast<long long>(g.b), static_cast<long long>(g.m),
                        static_cast<long long>(g.k), static_cast<long long>(g.n),
                        g.trans_a ? "T" : "N", g.trans_b ? "T" : "N",
                        static_cast<long long>(g.count), g.flops() * g.count / 1e9,
                        alone[i] * g.count, g.step_ms);
                }
            }
        }
        for (int r = 0; r < o.repeats; ++r) {
            for (auto& c : configs) {
                nar::bench::use_threads(c.threads);
                step(c, o.bf16);  // settle after the switch
                nar::bench::OtherWork other;
                other.start();
                StepTimes sum;
                const double cpu0 = nar::bench::process_cpu_ms();
                for (int s = 0; s < o.steps; ++s) {
                    const StepTimes t = step(c, o.bf16);
                    sum.fwd += t.fwd / o.steps;
                    sum.bwd += t.bwd / o.steps;
                    sum.opt += t.opt / o.steps;
                }
                sum.cpu = (nar::bench::process_cpu_ms() - cpu0) / o.steps;
                const nar::bench::Work w = other.stop();
                c.other_cores.push_back(w.other);
                c.stolen_cores.push_back(w.stolen);
                c.rounds.push_back(sum);
                // The machine's speed drifts (a VM): the ceiling is remeasured beside
                // every round and each round is compared with its own.
                c.ceilings.push_back(
                    nar::bench::ceiling_ms(c.gemms, o.bf16 ? torch::kBFloat16 : torch::kFloat32));
            }
        }

        double worst_other = 0, worst_stolen = 0;
        for (const auto& c : configs) {
            for (double x : c.other_cores) worst_other = std::max(worst_other, x);
            for (double x : c.stolen_cores) worst_stolen = std::max(worst_stolen, x);
        }
        const bool loaded = load0 > 0.5 || worst_other > 0.1;
        if (loaded) {
            std::printf(
                "\nWARNING: other work on the machine: load average %.2f at start, up to %.2f "
                "cores busy with other processes during a round.\n",
                load0, worst_other);
            if (!o.allow_load) {
                std::printf("Not reporting: rerun on an idle machine (or --allow-load).\n");
                return 3;
            }
            std::printf("Numbers below are INDICATIVE ONLY (loaded machine).\n");
        }
        std::printf("\n%-8s %3s %22s %8s %7s %7s %6s %7s %8s %9s %9s %6s\n", "task", "thr",
                    "graphs/s min/med/max", "step ms", "fwd", "bwd", "opt", "cpu ms", "GEMM GF",
                    "ceil GF/s", "GF/s", "ceil%");
        for (const auto& c : configs) {
            std::vector<double> rate, stepms, fwd, bwd, opt, cpu, frac, ceil_gfs;
            const double gf = nar::bench::total_gflop(c.gemms);
            for (size_t r = 0; r < c.rounds.size(); ++r) {
                frac.push_back(c.ceilings[r] / c.rounds[r].step());
                ceil_gfs.push_back(gf / c.ceilings[r] * 1000);
            }
            for (const auto& t : c.rounds) {
                rate.push_back(1000.0 * c.batch->size() / t.step());
                stepms.push_back(t.step());
                fwd.push_back(t.fwd);
                bwd.push_back(t.bwd);
                opt.push_back(t.opt);
                cpu.push_back(t.cpu);
            }
            const double med_step = quantile(stepms, 0.5);
            std::printf(
                "%-8s %3d %6.1f/%6.1f/%6.1f   %8.1f %7.1f %7.1f %6.1f %7.1f %8.2f %9.1f %9.1f "
                "%5.0f%%\n",
                c.task.c_str(), c.threads, quantile(rate, 0), quantile(rate, 0.5),
                quantile(rate, 1), med_step, quantile(fwd, 0.5), quantile(bwd, 0.5),
                quantile(opt, 0.5), quantile(cpu, 0.5), gf, quantile(ceil_gfs, 0.5),
                gf / med_step * 1000, 100.0 * quantile(frac, 0.5));
        }
        print_scaling(configs);
        std::printf("steal (the VM's host running other work): up to %.2f cores in a round\n",
                    worst_stolen);
        std::printf(
            "\nGEMM GF: GFLOP of the step's matrix products (counted, forward + backward); "
            "ceil GF/s: the same libraries (oneDNN for nar's own products, LibTorch's BLAS for the "
            "rest) running exactly those products alone (on several threads each at the better of "
            "the library's threading and one call per thread), measured beside every "
            "round (median); ceil%%: ceiling time / step time of the same round (median); cpu ms: "
            "process CPU time per step, all threads (median).\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
