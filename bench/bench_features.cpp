// ONNX -> NAR-Former V2 features, end to end (read + parse + shape inference +
// graph + FLOPs + encoding), over the 16 golden ONNX files the reference accepts,
// at batch 1 and 8; then the feature-cache hit path.
//   bench_features [REPEATS] [ONNX_DIR]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "data/feature_cache.h"
#include "data/onnx_graph.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* kNets[] = {"nnlqp_resnet18-v1-7-no-weight",
                       "tiny_attention",
                       "tiny_shuffle",
                       "tiny_unet_resize",
                       "tiny_unet_upsample_opset9_nopad",
                       "tv_alexnet",
                       "tv_densenet121",
                       "tv_efficientnet_b0",
                       "tv_googlenet",
                       "tv_mnasnet0_5",
                       "tv_mobilenet_v2",
                       "tv_mobilenet_v3_small",
                       "tv_resnet18",
                       "tv_resnet50",
                       "tv_squeezenet1_1",
                       "tv_vgg11"};

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
    const std::string dir = argc > 2 ? argv[2] : NAR_GOLDEN_ONNX;
    spdlog::set_level(spdlog::level::err);  // no unknown-op warnings in the timings

    std::printf("ONNX -> features (pe, compat FLOPs), single thread, %d repeats (mean | min)\n",
                repeats);
    std::printf("%-34s %8s %18s %18s\n", "network", "nodes", "b1 ms", "b8 ms");
    double total_s[2] = {0, 0}, total_min_s[2] = {0, 0};
    std::vector<nar::data::GraphRequest> requests;
    for (const char* net : kNets) {
        const std::string path = dir + "/" + net + ".onnx";
        double ms[2], min_ms[2];
        int64_t nodes = 0;
        for (int bi = 0; bi < 2; ++bi) {
            const int64_t batch = bi == 0 ? 1 : 8;
            requests.push_back({path, batch});
            nodes = nar::data::extract_onnx_graph(path, batch).graph.num_nodes;  // warm-up
            double s = 0, best = 1e30;
            for (int r = 0; r < repeats; ++r) {
                const auto t0 = Clock::now();
                nar::data::extract_onnx_graph(path, batch);
                const double one = seconds_since(t0);
                s += one;
                best = std::min(best, one);
            }
            total_s[bi] += s / repeats;
            total_min_s[bi] += best;
            ms[bi] = 1e3 * s / repeats;
            min_ms[bi] = 1e3 * best;
        }
        std::printf("%-34s %8lld %8.3f | %7.3f %8.3f | %7.3f\n", net, static_cast<long long>(nodes),
                    ms[0], min_ms[0], ms[1], min_ms[1]);
    }
    const double n = sizeof(kNets) / sizeof(kNets[0]);
    for (int bi = 0; bi < 2; ++bi)
        std::printf(
            "batch %d: %.3f ms per network (%.1f networks/s, %.1fx the reference's ~24 ms);"
            " from min times %.3f ms (%.1f networks/s, %.1fx)\n",
            bi == 0 ? 1 : 8, 1e3 * total_s[bi] / n, n / total_s[bi], 0.024 / (total_s[bi] / n),
            1e3 * total_min_s[bi] / n, n / total_min_s[bi], 0.024 / (total_min_s[bi] / n));

    // Cache: fill once (in memory), then time hits.
    nar::data::FeatureCache cache("", {});
    std::vector<std::string> errors;
    cache.get(requests, 1, &errors);
    const int hit_rounds = 200;
    nar::data::FeatureCacheStats st;
    const auto t0 = Clock::now();
    size_t sink = 0;
    for (int r = 0; r < hit_rounds; ++r) sink += cache.get(requests, 1, &errors, &st).size();
    const double s = seconds_since(t0);
    std::printf("cache hit: %.2f us per graph (%zu graphs x %d rounds, %zu hits in last round)\n",
                1e6 * s / (static_cast<double>(requests.size()) * hit_rounds), requests.size(),
                hit_rounds, st.hits);

    // Cache miss path with the thread pool (all cores), in-memory cache.
    // Equal content+batch is extracted once, so each round uses a fresh cache.
    const auto t1 = Clock::now();
    size_t done = 0;
    for (int r = 0; r < 10; ++r) {
        nar::data::FeatureCache c("", {});
        done += c.get(requests, 0, &errors).size();
    }
    const double s1 = seconds_since(t1);
    std::printf("thread pool (%u threads): %.1f networks/s over %zu extractions\n",
                std::thread::hardware_concurrency(), done / s1, done);
    return sink == 0;
}
