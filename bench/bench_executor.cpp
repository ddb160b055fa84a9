// Executor overhead: OnnxExecutor on the zoo's resnet18 / mobilenet_v2 graphs (with
// BatchNormalization nodes, so both sides do the same work) against the networks
// assembled from torch::nn modules by hand, eval mode, no autograd. Rounds interleave
// the two so machine load hits both alike; min/median/max per side.
//   bench_executor [--threads T] [--rounds R] [--input S] [--batch B]
// Exit 1 when the executor's median is more than 10% above the modules'.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "data/onnx_model.h"
#include "data/zoo/family.h"
#include "data/zoo/zoo_generate.h"
#include "runner/onnx_executor.h"

namespace {

namespace nn = torch::nn;

nn::Sequential conv_bn(int64_t in, int64_t out, int64_t k, int64_t s, int64_t groups = 1) {
    return nn::Sequential(
        nn::Conv2d(
            nn::Conv2dOptions(in, out, k).stride(s).padding(k / 2).groups(groups).bias(false)),
        nn::BatchNorm2d(out));
}

struct BasicBlockImpl : nn::Module {
    nn::Sequential a{nullptr}, b{nullptr}, down{nullptr};
    BasicBlockImpl(int64_t in, int64_t out, int64_t s) {
        a = register_module("a", conv_bn(in, out, 3, s));
        b = register_module("b", conv_bn(out, out, 3, 1));
        if (s != 1 || in != out) down = register_module("down", conv_bn(in, out, 1, s));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto y = b->forward(torch::relu(a->forward(x)));
        return torch::relu(y + (down ? down->forward(x) : x));
    }
};
TORCH_MODULE(BasicBlock);

struct ResNet18Impl : nn::Module {
    nn::Sequential stem{nullptr}, body{nullptr};
    nn::Linear fc{nullptr};
    ResNet18Impl() {
        stem = register_module("stem", conv_bn(3, 64, 7, 2));
        body = register_module("body", nn::Sequential());
        int64_t in = 64;
        for (int64_t w : {64, 128, 256, 512})
            for (int i = 0; i < 2; ++i) {
                body->push_back(BasicBlock(in, w, (w != 64 && i == 0) ? 2 : 1));
                in = w;
            }
        fc = register_module("fc", nn::Linear(512, 1000));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto y = torch::max_pool2d(torch::relu(stem->forward(x)), 3, 2, 1);
        y = torch::adaptive_avg_pool2d(body->forward(y), {1, 1}).flatten(1);
        return fc->forward(y);
    }
};
TORCH_MODULE(ResNet18);

struct InvertedResidualImpl : nn::Module {
    nn::Sequential expand{nullptr}, dw{nullptr}, project{nullptr};
    bool residual;
    InvertedResidualImpl(int64_t in, int64_t out, int64_t s, int64_t t)
        : residual(s == 1 && in == out) {
        const int64_t h = in * t;
        if (t != 1) expand = register_module("expand", conv_bn(in, h, 1, 1));
        dw = register_module("dw", conv_bn(h, h, 3, s, h));
        project = register_module("project", conv_bn(h, out, 1, 1));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto y = expand ? torch::hardtanh(expand->forward(x), 0, 6) : x;
        y = project->forward(torch::hardtanh(dw->forward(y), 0, 6));
        return residual ? x + y : y;
    }
};
TORCH_MODULE(InvertedResidual);

struct MobileNetV2Impl : nn::Module {
    nn::Sequential stem{nullptr}, body{nullptr}, head{nullptr};
    nn::Linear fc{nullptr};
    MobileNetV2Impl() {
        stem = register_module("stem", conv_bn(3, 32, 3, 2));
        body = register_module("body", nn::Sequential());
        const int s[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
        int64_t in = 32;
        for (const auto& r : s)
            for (int i = 0; i < r[2]; ++i) {
                body->push_back(InvertedResidual(in, r[1], i == 0 ? r[3] : 1, r[0]));
                in = r[1];
            }
        head = register_module("head", conv_bn(320, 1280, 1, 1));
        fc = register_module("fc", nn::Linear(1280, 1000));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto y = body->forward(torch::hardtanh(stem->forward(x), 0, 6));
        y = torch::hardtanh(head->forward(y), 0, 6);
        return fc->forward(torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
    }
};
TORCH_MODULE(MobileNetV2);

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Summary {
    double min, median, max;
};
Summary summarise(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return {v.front(), v[v.size() / 2], v.back()};
}

}  // namespace

int main(int argc, char** argv) {
    int threads = 1, rounds = 30;
    int64_t input = 224, batch = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--input")) input = std::atoll(argv[i + 1]);
        if (!std::strcmp(argv[i], "--batch")) batch = std::atoll(argv[i + 1]);
    }
    torch::set_num_threads(threads);
    at::globalContext().setFlushDenormal(true);
    torch::NoGradGuard no_grad;
    nar::data::zoo::NetOptions o;
    o.input = input;
    o.batch = batch;
    o.fold_bn = false;  // same work as the hand-built modules (Conv + BatchNorm2d)
    std::printf("bench_executor: threads %d, rounds %d, input %lld, batch %lld (ms per forward)\n",
                threads, rounds, static_cast<long long>(input), static_cast<long long>(batch));
    bool ok = true;
    for (const std::string net : {"resnet18", "mobilenet_v2"}) {
        const auto im = nar::data::load_onnx_model(
            nar::data::zoo::serialize_model(nar::data::zoo::torchvision_network(net, o)), net,
            batch);
        const nar::runner::OnnxExecutor ex(im.model, net, torch::kCPU);
        std::function<torch::Tensor(const torch::Tensor&)> hand;
        ResNet18 r18;
        MobileNetV2 mv2;
        if (net == "resnet18") {
            r18->eval();
            hand = [&](const torch::Tensor& x) { return r18->forward(x); };
        } else {
            mv2->eval();
            hand = [&](const torch::Tensor& x) { return mv2->forward(x); };
        }
        const torch::Tensor x = torch::randn({batch, 3, input, input});
        for (int w = 0; w < 3; ++w) {
            ex.run(x);
            hand(x);
        }
        std::vector<double> te, th;
        for (int r = 0; r < rounds; ++r) {
            // Alternate which side goes first, so neither always runs on a warmer cache.
            for (int side = 0; side < 2; ++side) {
                const bool exec_now = (side == 0) == (r % 2 == 0);
                const auto t0 = std::chrono::steady_clock::now();
                if (exec_now)
                    ex.run(x);
                else
                    hand(x);
                (exec_now ? te : th).push_back(ms_since(t0));
            }
        }
        const Summary e = summarise(te), h = summarise(th);
        const double overhead = e.median / h.median - 1;
        std::printf(
            "%-13s executor min %.2f median %.2f max %.2f | modules min %.2f median %.2f max %.2f "
            "| overhead %+.1f%%\n",
            net.c_str(), e.min, e.median, e.max, h.min, h.median, h.max, 100 * overhead);
        ok = ok && overhead < 0.10;
    }
    std::printf("%s: executor overhead %s 10%%\n", ok ? "PASS" : "FAIL", ok ? "<" : ">=");
    return ok ? 0 : 1;
}
