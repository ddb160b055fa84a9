// bench_train_step: graphs (cells) per second of one training step
// (forward + backward + Adam) at the paper's sizes, with 1 and 2 threads.
//   latency : hidden 512, 2 layers, one batch of the 16 golden ONNX graphs
//   accuracy: hidden 512, 6 layers, one batch of 8 NB201 cells
// Usage: bench_train_step [--steps N] [--warmup N] [--threads N] [--fixtures DIR]
// On a shared machine run with OMP_WAIT_POLICY=PASSIVE, or idle OpenMP
// threads spin and the 2-thread numbers measure the spinning.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <vector>

#include "common/error.h"
#include "common/h5.h"
#include "model/graph_batch.h"
#include "model/losses.h"
#include "model/predictor.h"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

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

torch::Tensor read_i64(const H5File& f, const std::string& name) {
    nar::common::Shape shape;
    auto v = f.read_i64(name, &shape);
    std::vector<int64_t> s(shape.begin(), shape.end());
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kInt64)
        .clone()
        .view(s);
}

GraphBatch latency_batch(const std::string& fixtures, int64_t* total_nodes) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(fixtures + "/golden/features")) {
        const std::string p = e.path().string();
        if (p.size() > 6 && p.substr(p.size() - 6) == "_b1.h5") files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    std::vector<torch::Tensor> xs, adjs, statics;
    *total_nodes = 0;
    for (const auto& p : files) {
        H5File f(p, H5File::Mode::Read);
        auto x = read_f32(f, "x");
        xs.push_back(x);
        adjs.push_back(nar::model::adjacency_from_edges(read_i64(f, "edges"), x.size(0)));
        statics.push_back(read_f32(f, "static"));
        *total_nodes += x.size(0);
    }
    return nar::model::pad_graphs(xs, adjs, torch::stack(statics));
}

GraphBatch accuracy_batch(const std::string& fixtures) {
    H5File f(fixtures + "/golden/tokenizer/nb201.h5", H5File::Mode::Read);
    GraphBatch b;
    b.x = read_f32(f, "netcode").narrow(0, 0, 8).contiguous();
    b.adj = read_f32(f, "adj_sym").narrow(0, 0, 8).contiguous();
    b.mask = torch::ones({8, b.x.size(1)});
    return b;
}

struct Timing {
    double fwd_ms = 0, bwd_ms = 0, opt_ms = 0, step_ms = 0;
    double cpu_ms = 0;  // process CPU time per step (all threads)
};

// CPU time of the whole process: on a shared, loaded machine wall time mostly
// measures the other jobs, while CPU time per step stays meaningful.
double cpu_ms_now() { return 1000.0 * std::clock() / CLOCKS_PER_SEC; }

Timing time_steps(Predictor& model, const GraphBatch& batch, bool accuracy, int warmup, int steps) {
    torch::manual_seed(0);
    const int64_t b = batch.size();
    const auto y = 0.5 + torch::rand({b});
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-4));
    model->train();
    Timing t;
    double cpu0 = 0;
    for (int s = 0; s < warmup + steps; ++s) {
        if (s == warmup) cpu0 = cpu_ms_now();
        const auto t0 = Clock::now();
        opt.zero_grad();
        const auto pred = model->forward(batch);
        auto loss = nar::model::relative_mse(pred, y);
        if (accuracy) loss = loss + 0.1 * nar::model::sr_loss(pred, y, torch::randperm(b));
        const auto t1 = Clock::now();
        loss.backward();
        const auto t2 = Clock::now();
        opt.step();
        const auto t3 = Clock::now();
        if (s >= warmup) {
            t.fwd_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
            t.bwd_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
            t.opt_ms += std::chrono::duration<double, std::milli>(t3 - t2).count();
        }
    }
    t.cpu_ms = (cpu_ms_now() - cpu0) / steps;
    t.fwd_ms /= steps;
    t.bwd_ms /= steps;
    t.opt_ms /= steps;
    t.step_ms = t.fwd_ms + t.bwd_ms + t.opt_ms;
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 20, warmup = 3;
    std::vector<int> thread_counts = {1, 2};
    std::string fixtures = NAR_FIXTURES;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--steps")
            steps = std::atoi(argv[i + 1]);
        else if (a == "--warmup")
            warmup = std::atoi(argv[i + 1]);
        else if (a == "--fixtures")
            fixtures = argv[i + 1];
        else if (a == "--threads")
            thread_counts = {std::atoi(argv[i + 1])};
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
#if defined(__GLIBC__)
    // Keep freed activation buffers in the heap: otherwise every step mmaps and
    // page-faults tens of MB afresh (measured: ~35% of the latency step's CPU time).
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    try {
        torch::set_num_interop_threads(1);
        int64_t lat_nodes = 0;
        const GraphBatch lat = latency_batch(fixtures, &lat_nodes);
        const GraphBatch acc = accuracy_batch(fixtures);
        std::printf("latency batch: %lld graphs, %lld real nodes, padded to %lld\n",
                    static_cast<long long>(lat.size()), static_cast<long long>(lat_nodes),
                    static_cast<long long>(lat.x.size(1)));
        std::printf("accuracy batch: %lld cells of %lld nodes\n",
                    static_cast<long long>(acc.size()), static_cast<long long>(acc.x.size(1)));
        std::printf("%d warm-up + %d timed steps each; float32; dropout on (train mode)\n\n",
                    warmup, steps);
        std::printf("%-9s %7s %9s %9s %9s %9s %12s %9s %14s\n", "task", "threads", "fwd ms",
                    "bwd ms", "adam ms", "step ms", "graphs/s", "cpu ms", "graphs/cpu-s");
        for (const char* task : {"latency", "accuracy"}) {
            const bool accuracy = std::string(task) == "accuracy";
            for (int threads : thread_counts) {
                torch::set_num_threads(threads);
                // OpenBLAS keeps its own pool: without this "1 thread" still multiplies on 2.
                if (openblas_set_num_threads != nullptr) openblas_set_num_threads(threads);
                torch::manual_seed(0);
                Predictor model(ModelConfig::preset(task));
                const GraphBatch& b = accuracy ? acc : lat;
                const Timing t = time_steps(model, b, accuracy, warmup, steps);
                std::printf("%-9s %7d %9.1f %9.1f %9.1f %9.1f %12.1f %9.1f %14.1f\n", task, threads,
                            t.fwd_ms, t.bwd_ms, t.opt_ms, t.step_ms, 1000.0 * b.size() / t.step_ms,
                            t.cpu_ms, 1000.0 * b.size() / t.cpu_ms);
            }
        }
        std::printf(
            "\nreference (authors' Python, this machine): latency 11.5 graphs/s, "
            "accuracy ~10 cells/s\n");
    } catch (const nar::common::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
