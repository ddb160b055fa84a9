// bench_kernels: the fused CPU kernels against the LibTorch composites they
// replace, forward + backward, at the latency step's shapes (float32, dropout
// 0.1 where the kernel has one; the grouped FFN's two norms also with the bf16
// storage of --precision bf16), and FlatAdam's step over each preset's
// parameters. Interleaved over --repeats rounds; prints min/median/max ms per call.
// Usage: bench_kernels [--repeats N] [--iters N] [--threads N] [--only TEXT]
//   --only: just the cases whose name contains TEXT (for a profiler)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/blas_startup.h"
#include "common/heap.h"
#include "model/degree_gate.h"
#include "model/edge_attention.h"
#include "model/feed_forward.h"
#include "model/gemm.h"
#include "model/graph_batch.h"
#include "model/l2_norm_act.h"
#include "model/model_config.h"
#include "model/norm_act.h"
#include "model/packed_graph.h"
#include "model/predictor.h"
#include "runner/flat_adam.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    std::string name;
    std::function<void()> run;
    std::vector<double> ms;
};

double time_ms(const std::function<void()>& f, int iters) {
    const auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) f();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / iters;
}

// bf16: as a grouped FFN's norm under --precision bf16, a bf16 product's
// G×T×w result with its G×w bias in, bf16 out.
Case norm_case(const std::string& label, std::vector<int64_t> shape, bool relu, double p,
               bool fused, bool bf16 = false) {
    const int64_t w = shape.back();
    const auto storage = bf16 ? torch::kBFloat16 : torch::kFloat32;
    auto x = torch::randn(shape).to(storage).requires_grad_(true);
    auto g = torch::ones({w}).requires_grad_(true);
    auto b = torch::zeros({w}).requires_grad_(true);
    auto bias = bf16 ? torch::randn({shape.front(), w}) : torch::Tensor();
    auto grad = torch::randn(shape).to(storage);
    auto run = [=]() mutable {
        const auto y =
            fused ? nar::model::norm_act_dropout(x, g, b, 1e-5, relu, p, true, bias, storage)
                  : nar::model::norm_act_dropout_reference(x, g, b, 1e-5, relu, p, true, bias,
                                                           storage);
        y.backward(grad);
        x.mutable_grad().reset();
        g.mutable_grad().reset();
        b.mutable_grad().reset();
    };
    return {label + (bf16 ? " bf16" : "") + (fused ? " fused" : " composite"), run, {}};
}

Case l2_case(bool fused) {
    auto v = torch::randn({1641, 512}).requires_grad_(true);
    auto grad = torch::randn({1641, 512});
    auto run = [=]() mutable {
        const auto y = fused ? nar::model::l2norm_relu_dropout(v, 1e-12, 0.1, true)
                             : nar::model::l2norm_relu_dropout_reference(v, 1e-12, 0.1, true);
        y.backward(grad);
        v.mutable_grad().reset();
    };
    return {
        std::string("L2 norm+ReLU+dropout 1641x512") + (fused ? " fused" : " composite"), run, {}};
}

// One graph of 1641 nodes with ~4,700 directed edges (the latency batch's sizes).
std::shared_ptr<nar::model::PackedGraph> latency_sized_graph() {
    const int64_t t = 1641;
    auto a = (torch::rand({t, t}) < 2.9 / t).to(torch::kFloat32).triu(1);
    const auto batch = nar::model::pad_graphs({torch::zeros({t, 1})}, {a + a.t()});
    return std::make_shared<nar::model::PackedGraph>(nar::model::PackedGraph::build(batch));
}

Case attention_case(const std::shared_ptr<nar::model::PackedGraph>& g, bool fused) {
    auto s = torch::sigmoid(torch::randn({1641, 512})).requires_grad_(true);
    auto x = torch::randn({1641, 512}).requires_grad_(true);
    auto grad = torch::randn({1641, 512});
    auto run = [=]() mutable {
        const auto y = fused ? nar::model::edge_attention(s, x, *g, 0.044)
                             : nar::model::edge_attention_reference(s, x, *g, 0.044);
        y.backward(grad);
        s.mutable_grad().reset();
        x.mutable_grad().reset();
    };
    return {"edge attention 1641x512, " + std::to_string(g->dst.size(0)) + " edges" +
                (fused ? " fused" : " composite"),
            run,
            {}};
}

Case gate_case(const std::shared_ptr<nar::model::PackedGraph>& g, bool fused) {
    auto x = torch::randn({1641, 512}).requires_grad_(true);
    auto grad = torch::randn({1641, 512});
    auto deg = std::make_shared<torch::nn::Linear>(torch::nn::Linear(1, 512));
    auto run = [=]() mutable {
        const auto y = fused ? nar::model::degree_gate(x, g->degree, *deg)
                             : nar::model::degree_gate_reference(x, g->degree, *deg);
        y.backward(grad);
        x.mutable_grad().reset();
        (*deg)->zero_grad();
    };
    return {std::string("degree gate 1641x512") + (fused ? " fused" : " composite"), run, {}};
}

// The grouped FFN of a latency block (8 groups, 512 -> 2048 -> 512, dropout
// 0.1) as the model runs it (NAR_COMPOSITE switches its kernels), beside its
// six GEMMs alone: the floor.
Case ffn_case() {
    auto ffn = std::make_shared<nar::model::FeedForward>(512, 4, 8, true, 0.1);
    (*ffn)->train();
    auto x = torch::randn({1641, 512}).requires_grad_(true);
    auto grad = torch::randn({1641, 512});
    auto run = [=]() mutable {
        (*ffn)->forward(x).backward(grad);
        x.mutable_grad().reset();
        (*ffn)->zero_grad();
    };
    return {"grouped FFN 1641x512, 8 groups", run, {}};
}

Case ffn_gemms_case() {
    const auto x = torch::randn({8, 1641, 64}), w1 = torch::randn({8, 64, 256}),
               h = torch::randn({8, 1641, 256}), w2 = torch::randn({8, 256, 64}),
               g2 = torch::randn({8, 1641, 64}), g1 = torch::randn({8, 1641, 256});
    // Group by group through model/gemm.h, in the forms the fused FFN uses.
    auto run = [=]() {
        using nar::model::gemm;
        for (int64_t g = 0; g < 8; ++g) {
            gemm(x[g], w1[g]);
            gemm(h[g], w2[g]);
            gemm(g2[g], w2[g].t());
            gemm(g2[g].t(), h[g]);
            gemm(g1[g], w1[g].t());
            gemm(x[g].t(), g1[g]);
        }
    };
    return {"grouped FFN's 6 GEMMs alone", run, {}};
}

// One optimiser step reads p, g, m, v and writes p, m, v: 28 bytes per
// parameter, so past the caches its time is the memory's (bytes / ms).
Case adam_case(const std::string& preset) {
    torch::manual_seed(0);
    const nar::model::Predictor model(nar::model::ModelConfig::preset(preset));
    auto params = model->parameters();
    int64_t n = 0;
    for (auto& p : params) {
        p.mutable_grad() = torch::randn_like(p) * 1e-3;
        n += p.numel();
    }
    auto opt = std::make_shared<nar::runner::FlatAdam>(params, torch::optim::AdamOptions(1e-4));
    auto run = [opt]() { opt->step(); };  // opt holds the parameters
    return {"FlatAdam step, " + preset + " (" + std::to_string(n * 28 / 1000000) + " MB moved)",
            run,
            {}};
}

}  // namespace

int main(int argc, char** argv) {
    nar::common::select_blas_core(argc, argv);
    nar::common::keep_freed_memory_in_heap();  // as nar does
    int repeats = 5, iters = 10, threads = 1;
    std::string only;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--repeats")
            repeats = std::stoi(argv[i + 1]);
        else if (a == "--iters")
            iters = std::stoi(argv[i + 1]);
        else if (a == "--threads")
            threads = std::stoi(argv[i + 1]);
        else if (a == "--only")
            only = argv[i + 1];
        else if (a != "--blas-core") {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (repeats < 1 || iters < 1 || threads < 1 || threads > 256) {
        std::fprintf(stderr, "--repeats, --iters >= 1; --threads 1..256\n");
        return 2;
    }
    torch::set_num_threads(threads);
    torch::manual_seed(0);
    std::vector<Case> cases;
    const auto graph = latency_sized_graph();
    for (bool fused : {false, true}) {
        cases.push_back(l2_case(fused));
        cases.push_back(attention_case(graph, fused));
        cases.push_back(gate_case(graph, fused));
        cases.push_back(norm_case("LN+ReLU+dropout 8x1641x256", {8, 1641, 256}, true, 0.1, fused));
        cases.push_back(norm_case("LN+dropout 8x1641x64", {8, 1641, 64}, false, 0.1, fused));
        cases.push_back(norm_case("LN 1641x512", {1641, 512}, false, 0.0, fused));
        cases.push_back(norm_case("LN+ReLU 8x1641x256", {8, 1641, 256}, true, 0.0, fused));
        cases.push_back(
            norm_case("LN+ReLU+dropout 8x1641x256", {8, 1641, 256}, true, 0.1, fused, true));
        cases.push_back(norm_case("LN+dropout 8x1641x64", {8, 1641, 64}, false, 0.1, fused, true));
    }
    cases.push_back(ffn_case());
    cases.push_back(ffn_gemms_case());
    for (const char* preset : {"latency", "accuracy"}) cases.push_back(adam_case(preset));
    cases.erase(
        std::remove_if(cases.begin(), cases.end(),
                       [&](const Case& c) { return c.name.find(only) == std::string::npos; }),
        cases.end());
    for (auto& c : cases) c.run();  // warm-up
    for (int r = 0; r < repeats; ++r)
        for (auto& c : cases) c.ms.push_back(time_ms(c.run, iters));
    std::printf(
        "%d thread(s), %d rounds x %d calls, forward + backward (FlatAdam: one step), ms "
        "per call\n",
        threads, repeats, iters);
    std::printf("%-52s %8s %8s %8s\n", "kernel", "min", "median", "max");
    for (auto& c : cases) {
        std::sort(c.ms.begin(), c.ms.end());
        std::printf("%-52s %8.3f %8.3f %8.3f\n", c.name.c_str(), c.ms.front(),
                    c.ms[c.ms.size() / 2], c.ms.back());
    }
    return 0;
}
