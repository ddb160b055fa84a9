// mobilenetv2, mobilenetv3, mnasnet, efficientnet, shufflenetv2: torchvision's
// definitions; proxylessnas: its authors' mobile network (torchvision has none). Per
// block a drawn "channel" multiplier (rounded to multiples of 8 as
// torchvision's width multiplier is), depthwise "kernelsize" and expansion "es".
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/zoo/family.h"
#include "data/zoo/graph_builder.h"

namespace nar::data::zoo {

using nar::common::Error;

namespace {

int64_t divisible(int64_t base, double mult) {
    return make_divisible(static_cast<double>(base) * mult, 8);
}

}  // namespace

onnx::ModelProto build_mobilenetv2(const std::string&, Draw& d, const NetOptions& o) {
    GraphBuilder b("mobilenet_v2", o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.relu6(b.conv_bn(x, {divisible(32, d.pick("channel", 1.0)), 3, 2, 1}));
    const int settings[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                               {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    for (const auto& s : settings) {
        const int64_t out = divisible(s[1], d.pick("channel", 1.0));
        for (int i = 0; i < s[2]; ++i) {
            const int64_t stride = i == 0 ? s[3] : 1;
            const int64_t t = d.pick_int("es", s[0]);
            const int64_t k = d.pick_int("kernelsize", 3);
            const int64_t hidden = x.c() * t;
            Tensor y = x;
            if (t != 1) y = b.relu6(b.conv_bn(y, {hidden, 1, 1, 0}));
            y = b.relu6(b.conv_bn(y, {hidden, k, stride, k / 2, hidden}));
            y = b.conv_bn(y, {out, 1, 1, 0});
            x = (stride == 1 && x.c() == out) ? b.add(x, y) : y;
        }
    }
    x = b.relu6(b.conv_bn(x, {divisible(1280, d.pick("channel", 1.0)), 1, 1, 0}));
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(b.dropout(x), o.classes));
}

onnx::ModelProto build_mobilenetv3(const std::string& variant, Draw& d, const NetOptions& o) {
    struct Row {
        int k, exp, out;
        bool se, hs;
        int stride;
    };
    const bool large = variant == "mobilenet_v3_large";
    if (!large && variant != "mobilenet_v3_small")
        throw Error("mobilenetv3: unknown variant '" + variant + "'");
    const std::vector<Row> rows =
        large ? std::vector<Row>{{3, 16, 16, false, false, 1}, {3, 64, 24, false, false, 2},
                                 {3, 72, 24, false, false, 1}, {5, 72, 40, true, false, 2},
                                 {5, 120, 40, true, false, 1}, {5, 120, 40, true, false, 1},
                                 {3, 240, 80, false, true, 2}, {3, 200, 80, false, true, 1},
                                 {3, 184, 80, false, true, 1}, {3, 184, 80, false, true, 1},
                                 {3, 480, 112, true, true, 1}, {3, 672, 112, true, true, 1},
                                 {5, 672, 160, true, true, 2}, {5, 960, 160, true, true, 1},
                                 {5, 960, 160, true, true, 1}}
              : std::vector<Row>{{3, 16, 16, true, false, 2},  {3, 72, 24, false, false, 2},
                                 {3, 88, 24, false, false, 1}, {5, 96, 40, true, true, 2},
                                 {5, 240, 40, true, true, 1},  {5, 240, 40, true, true, 1},
                                 {5, 120, 48, true, true, 1},  {5, 144, 48, true, true, 1},
                                 {5, 288, 96, true, true, 2},  {5, 576, 96, true, true, 1},
                                 {5, 576, 96, true, true, 1}};
    GraphBuilder b(variant, o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.hard_swish(b.conv_bn(x, {divisible(16, d.pick("channel", 1.0)), 3, 2, 1}));
    for (const Row& r : rows) {
        const double m = d.pick("channel", 1.0);
        const int64_t out = divisible(r.out, m);
        // "es" scales the expansion width relative to the published one.
        const int64_t exp = divisible(r.exp, m * d.pick("es", 1.0));
        const int64_t k = d.pick_int("kernelsize", r.k);
        auto act = [&](const Tensor& t) { return r.hs ? b.hard_swish(t) : b.relu(t); };
        Tensor y = x;
        if (exp != x.c()) y = act(b.conv_bn(y, {exp, 1, 1, 0}));
        y = act(b.conv_bn(y, {exp, k, r.stride, k / 2, exp}));
        if (r.se) {
            const int64_t sq = make_divisible(static_cast<double>(exp / 4), 8);
            Tensor s = b.global_avg_pool(y);
            s = b.relu(b.conv(s, {sq, 1, 1, 0, 1, 1, true}));
            s = b.hard_sigmoid(b.conv(s, {exp, 1, 1, 0, 1, 1, true}));
            y = b.mul(y, s);
        }
        y = b.conv_bn(y, {out, 1, 1, 0});
        x = (r.stride == 1 && x.c() == out) ? b.add(x, y) : y;
    }
    x = b.hard_swish(b.conv_bn(x, {6 * x.c(), 1, 1, 0}));
    x = b.flatten(b.global_avg_pool(x));
    const int64_t last = divisible(large ? 1280 : 1024, d.pick("channel", 1.0));
    x = b.hard_swish(b.gemm(x, last));
    return b.finish(b.gemm(b.dropout(x), o.classes));
}

onnx::ModelProto build_mnasnet(const std::string& variant, Draw& d, const NetOptions& o) {
    double alpha = 1.0;
    if (variant == "mnasnet0_5")
        alpha = 0.5;
    else if (variant != "mnasnet1_0")
        throw Error("mnasnet: unknown variant '" + variant + "'");
    GraphBuilder b(variant, o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    const int64_t d0 = divisible(32, alpha * d.pick("channel", 1.0));
    const int64_t d1 = divisible(16, alpha * d.pick("channel", 1.0));
    x = b.relu(b.conv_bn(x, {d0, 3, 2, 1}));
    x = b.relu(b.conv_bn(x, {d0, 3, 1, 1, d0}));
    x = b.conv_bn(x, {d1, 1, 1, 0});
    // out channels (before alpha), kernel, stride, expansion, repeats
    const int stacks[][5] = {{24, 3, 2, 3, 3}, {40, 5, 2, 3, 3},  {80, 5, 2, 6, 3},
                             {96, 3, 1, 6, 2}, {192, 5, 2, 6, 4}, {320, 3, 1, 6, 1}};
    for (const auto& s : stacks) {
        const int64_t out = divisible(s[0], alpha * d.pick("channel", 1.0));
        for (int i = 0; i < s[4]; ++i) {
            const int64_t stride = i == 0 ? s[2] : 1;
            const int64_t hidden = x.c() * d.pick_int("es", s[3]);
            const int64_t k = d.pick_int("kernelsize", s[1]);
            Tensor y = b.relu(b.conv_bn(x, {hidden, 1, 1, 0}));
            y = b.relu(b.conv_bn(y, {hidden, k, stride, k / 2, hidden}));
            y = b.conv_bn(y, {out, 1, 1, 0});
            x = (stride == 1 && x.c() == out) ? b.add(x, y) : y;
        }
    }
    x = b.relu(b.conv_bn(x, {1280, 1, 1, 0}));
    return b.finish(b.gemm(b.dropout(b.reduce_mean_hw(x)), o.classes));
}

onnx::ModelProto build_efficientnet(const std::string&, Draw& d, const NetOptions& o) {
    GraphBuilder b("efficientnet_b0", o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.swish(b.conv_bn(x, {divisible(32, d.pick("channel", 1.0)), 3, 2, 1}));
    // expansion, kernel, stride, out channels, layers (B0's stage table)
    const int stages[][5] = {{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2},  {6, 5, 2, 40, 2},
                             {6, 3, 2, 80, 3}, {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4},
                             {6, 3, 1, 320, 1}};
    bool first_stage = true;
    for (const auto& s : stages) {
        const int64_t out = divisible(s[3], d.pick("channel", 1.0));
        const int64_t k = d.pick_int("kernelsize", s[1]);
        const int64_t e = first_stage ? 1 : d.pick_int("es", s[0]);
        first_stage = false;
        for (int i = 0; i < s[4]; ++i) {
            const int64_t stride = i == 0 ? s[2] : 1;
            const int64_t in = x.c();
            const int64_t hidden = make_divisible(static_cast<double>(in * e), 8);
            Tensor y = x;
            if (hidden != in) y = b.swish(b.conv_bn(y, {hidden, 1, 1, 0}));
            y = b.swish(b.conv_bn(y, {hidden, k, stride, k / 2, hidden}));
            const int64_t sq = std::max<int64_t>(1, in / 4);
            Tensor sc = b.global_avg_pool(y);
            sc = b.swish(b.conv(sc, {sq, 1, 1, 0, 1, 1, true}));
            sc = b.sigmoid(b.conv(sc, {hidden, 1, 1, 0, 1, 1, true}));
            y = b.conv_bn(b.mul(y, sc), {out, 1, 1, 0});
            x = (stride == 1 && in == out) ? b.add(y, x) : y;
        }
    }
    x = b.swish(b.conv_bn(x, {divisible(1280, d.pick("channel", 1.0)), 1, 1, 0}));
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(b.dropout(x), o.classes));
}

onnx::ModelProto build_shufflenetv2(const std::string& variant, Draw& d, const NetOptions& o) {
    std::vector<int64_t> widths;
    if (variant == "shufflenet_v2_x1_0")
        widths = {24, 116, 232, 464, 1024};
    else if (variant == "shufflenet_v2_x0_5")
        widths = {24, 48, 96, 192, 1024};
    else
        throw Error("shufflenetv2: unknown variant '" + variant + "'");
    GraphBuilder b(variant, o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.relu(b.conv_bn(x, {widths[0], 3, 2, 1}));
    x = b.max_pool(x, 3, 2, 1);
    const int repeats[] = {4, 8, 4};
    for (int st = 0; st < 3; ++st) {
        // Even output channels so both halves of a block match.
        const int64_t out =
            2 * std::max<int64_t>(1, std::lround(static_cast<double>(widths[st + 1]) *
                                                 d.pick("channel", 1.0) / 2));
        const int64_t bf = out / 2;
        for (int i = 0; i < repeats[st]; ++i) {
            const int64_t k = d.pick_int("kernelsize", 3);
            const int64_t mid = std::max<int64_t>(
                1, std::lround(static_cast<double>(bf) * d.pick("mid_channel", 1.0)));
            auto branch2 = [&](const Tensor& t, int64_t stride) {
                Tensor y = b.relu(b.conv_bn(t, {mid, 1, 1, 0}));
                y = b.conv_bn(y, {mid, k, stride, k / 2, mid});
                return b.relu(b.conv_bn(y, {bf, 1, 1, 0}));
            };
            if (i == 0) {
                Tensor b1 = b.conv_bn(x, {x.c(), k, 2, k / 2, x.c()});
                b1 = b.relu(b.conv_bn(b1, {bf, 1, 1, 0}));
                x = b.concat({b1, branch2(x, 2)});
            } else {
                const auto halves = b.split(x, {x.c() / 2, x.c() - x.c() / 2});
                x = b.concat({halves[0], branch2(halves[1], 1)});
            }
            x = b.channel_shuffle(x, 2);
        }
    }
    x = b.relu(b.conv_bn(x, {widths[4], 1, 1, 0}));
    return b.finish(b.gemm(b.reduce_mean_hw(x), o.classes));
}

// ProxylessNAS-Mobile (Cai, Zhu & Han, "ProxylessNAS: Direct Neural Architecture Search on
// Target Task and Hardware", ICLR 2019): the searched mobile network of the authors' release
// (mit-han-lab/proxylessnas, proxyless_mobile). Published size: 4.1 M parameters (paper,
// Table 2) and 320 M multiply-adds at 224x224 (the release's README). A 3x3 stem, an MB1
// block, then MBConv blocks with ReLU6; the searched "zero" ops of the second stage leave
// it two blocks deep. Sampled networks keep that layout and draw, per stage, a "channel"
// multiplier and, per block, a "kernelsize" (3, 5, 7) and an "es" expansion (3, 6).
onnx::ModelProto build_proxylessnas(const std::string&, Draw& d, const NetOptions& o) {
    struct Block {
        int k, e;
    };
    struct Stage {
        int out, stride;
        std::vector<Block> blocks;
    };
    const std::vector<Stage> stages = {
        {32, 2, {{5, 3}, {3, 3}}},
        {40, 2, {{7, 3}, {3, 3}, {5, 3}, {5, 3}}},
        {80, 2, {{7, 6}, {5, 3}, {5, 3}, {5, 3}}},
        {96, 1, {{5, 6}, {5, 3}, {5, 3}, {5, 3}}},
        {192, 2, {{7, 6}, {7, 6}, {7, 3}, {7, 3}}},
        {320, 1, {{7, 6}}},
    };
    GraphBuilder b("proxylessnas_mobile", o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.relu6(b.conv_bn(x, {divisible(32, d.pick("channel", 1.0)), 3, 2, 1}));
    const int64_t first = divisible(16, d.pick("channel", 1.0));
    x = b.relu6(b.conv_bn(x, {x.c(), 3, 1, 1, x.c()}));
    x = b.conv_bn(x, {first, 1, 1, 0});
    for (const Stage& s : stages) {
        const int64_t out = divisible(s.out, d.pick("channel", 1.0));
        for (size_t i = 0; i < s.blocks.size(); ++i) {
            const int64_t stride = i == 0 ? s.stride : 1;
            const int64_t k = d.pick_int("kernelsize", s.blocks[i].k);
            const int64_t hidden = x.c() * d.pick_int("es", s.blocks[i].e);
            Tensor y = b.relu6(b.conv_bn(x, {hidden, 1, 1, 0}));
            y = b.relu6(b.conv_bn(y, {hidden, k, stride, k / 2, hidden}));
            y = b.conv_bn(y, {out, 1, 1, 0});
            x = (stride == 1 && x.c() == out) ? b.add(x, y) : y;
        }
    }
    x = b.relu6(b.conv_bn(x, {divisible(1280, d.pick("channel", 1.0)), 1, 1, 0}));
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(x, o.classes));
}

}  // namespace nar::data::zoo
