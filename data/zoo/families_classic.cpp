// alexnet, vgg, resnet, squeezenet, googlenet, densenet: torchvision's definitions with
// every channel count scaled by a drawn "channel" multiplier and every sampled conv
// kernel drawn from "kernelsize" (per layer or per block, nn-Meter's submodule level 2).
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/zoo/family.h"
#include "data/zoo/graph_builder.h"

namespace nar::data::zoo {

using nar::common::Error;

namespace {

int64_t scaled(int64_t base, double mult) {
    return std::max<int64_t>(1,
                             static_cast<int64_t>(std::lround(static_cast<double>(base) * mult)));
}

// torchvision's AdaptiveAvgPool2d(out) as exported: an AveragePool when the feature map
// is a multiple of `out`; a smaller map (inputs below 224) is passed on unchanged, a
// case torch.onnx cannot export either.
Tensor adaptive_avg_pool(GraphBuilder& b, const Tensor& x, int64_t out) {
    if (x.h() < out || x.h() % out != 0) return x;
    const int64_t k = x.h() / out;
    return b.avg_pool(x, k, k, 0);
}

Tensor classifier_mlp(GraphBuilder& b, Draw& d, Tensor x, int64_t hidden, int64_t classes) {
    x = b.flatten(x);
    const int64_t h = scaled(hidden, d.pick("channel", 1.0));
    x = b.relu(b.gemm(b.dropout(x), h));
    x = b.relu(b.gemm(b.dropout(x), h));
    return b.gemm(x, classes);
}

}  // namespace

onnx::ModelProto build_alexnet(const std::string&, Draw& d, const NetOptions& o) {
    GraphBuilder b("alexnet", o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    struct L {
        int64_t out, k, s, p;
        bool pool;
    };
    const L layers[] = {{64, 11, 4, 2, true},
                        {192, 5, 1, 2, true},
                        {384, 3, 1, 1, false},
                        {256, 3, 1, 1, false},
                        {256, 3, 1, 1, true}};
    bool first = true;
    for (const L& l : layers) {
        const int64_t c = scaled(l.out, d.pick("channel", 1.0));
        // The first conv keeps its stride-4 11x11 stem; later kernels are drawn.
        const int64_t k = first ? l.k : d.pick_int("kernelsize", l.k);
        x = b.relu(b.conv(x, {c, k, l.s, first ? l.p : k / 2, 1, 1, true}));
        if (l.pool) x = b.max_pool(x, 3, 2, 0);
        first = false;
    }
    x = adaptive_avg_pool(b, x, 6);
    return b.finish(classifier_mlp(b, d, x, 4096, o.classes));
}

onnx::ModelProto build_vgg(const std::string& variant, Draw& d, const NetOptions& o) {
    std::vector<int> cfg;  // 0 = max pool
    if (variant == "vgg11")
        cfg = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    else if (variant == "vgg13")
        cfg = {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    else if (variant == "vgg16")
        cfg = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    else if (variant == "vgg19")
        cfg = {64,  64,  0,   128, 128, 0,   256, 256, 256, 256, 0,
               512, 512, 512, 512, 0,   512, 512, 512, 512, 0};
    else
        throw Error("vgg: unknown variant '" + variant + "'");
    GraphBuilder b(variant, o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    for (int c : cfg) {
        if (c == 0) {
            x = b.max_pool(x, 2, 2, 0);
            continue;
        }
        const int64_t out = scaled(c, d.pick("channel", 1.0));
        const int64_t k = d.pick_int("kernelsize", 3);
        x = b.relu(b.conv(x, {out, k, 1, k / 2, 1, 1, true}));
    }
    x = adaptive_avg_pool(b, x, 7);
    return b.finish(classifier_mlp(b, d, x, 4096, o.classes));
}

onnx::ModelProto build_resnet(const std::string& variant, Draw& d, const NetOptions& o) {
    std::vector<int> blocks;
    bool bottleneck = false;
    if (variant == "resnet18") {
        blocks = {2, 2, 2, 2};
    } else if (variant == "resnet34") {
        blocks = {3, 4, 6, 3};
    } else if (variant == "resnet50") {
        blocks = {3, 4, 6, 3};
        bottleneck = true;
    } else {
        throw Error("resnet: unknown variant '" + variant + "'");
    }
    GraphBuilder b(variant, o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.relu(b.conv_bn(x, {scaled(64, d.pick("channel", 1.0)), 7, 2, 3}));
    x = b.max_pool(x, 3, 2, 1);
    const int64_t widths[] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage) {
        for (int i = 0; i < blocks[stage]; ++i) {
            const int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
            const int64_t width = scaled(widths[stage], d.pick("channel", 1.0));
            const int64_t k = d.pick_int("kernelsize", 3);
            Tensor y;
            int64_t out;
            if (bottleneck) {
                out = width * d.pick_int("es", 4);
                y = b.relu(b.conv_bn(x, {width, 1, 1, 0}));
                y = b.relu(b.conv_bn(y, {width, k, stride}));
                y = b.conv_bn(y, {out, 1, 1, 0});
            } else {
                out = width;
                y = b.relu(b.conv_bn(x, {width, k, stride}));
                y = b.conv_bn(y, {width, k, 1});
            }
            Tensor identity = x;
            if (stride != 1 || x.c() != out) identity = b.conv_bn(x, {out, 1, stride, 0});
            x = b.relu(b.add(y, identity));
        }
    }
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(x, o.classes));
}

onnx::ModelProto build_squeezenet(const std::string& variant, Draw& d, const NetOptions& o) {
    const bool v10 = variant == "squeezenet1_0";
    if (!v10 && variant != "squeezenet1_1")
        throw Error("squeezenet: unknown variant '" + variant + "'");
    GraphBuilder b(variant, o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    const double m0 = d.pick("channel", 1.0);
    x = v10 ? b.relu(b.conv(x, {scaled(96, m0), 7, 2, 0, 1, 1, true}))
            : b.relu(b.conv(x, {scaled(64, m0), 3, 2, 0, 1, 1, true}));
    x = b.max_pool(x, 3, 2, 0, true);
    auto fire = [&](int64_t squeeze, int64_t expand) {
        const double m = d.pick("channel", 1.0);
        const int64_t k = d.pick_int("kernelsize", 3);
        const Tensor s = b.relu(b.conv(x, {scaled(squeeze, m), 1, 1, 0, 1, 1, true}));
        const Tensor e1 = b.relu(b.conv(s, {scaled(expand, m), 1, 1, 0, 1, 1, true}));
        const Tensor e3 = b.relu(b.conv(s, {scaled(expand, m), k, 1, k / 2, 1, 1, true}));
        x = b.concat({e1, e3});
    };
    // (squeeze, expand) per Fire module; 0 marks a max pool.
    const int fires10[][2] = {{16, 64},  {16, 64},  {32, 128}, {0, 0}, {32, 128},
                              {48, 192}, {48, 192}, {64, 256}, {0, 0}, {64, 256}};
    const int fires11[][2] = {{16, 64}, {16, 64},  {0, 0},    {32, 128}, {32, 128},
                              {0, 0},   {48, 192}, {48, 192}, {64, 256}, {64, 256}};
    for (const auto& f : v10 ? fires10 : fires11) {
        if (f[0] == 0)
            x = b.max_pool(x, 3, 2, 0, true);
        else
            fire(f[0], f[1]);
    }
    x = b.relu(b.conv(b.dropout(x), {o.classes, 1, 1, 0, 1, 1, true}));
    return b.finish(b.flatten(b.global_avg_pool(x)));
}

onnx::ModelProto build_googlenet(const std::string&, Draw& d, const NetOptions& o) {
    GraphBuilder b("googlenet", o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    const double m = d.pick("channel", 1.0);
    x = b.relu(b.conv_bn(x, {scaled(64, m), 7, 2, 3}));
    x = b.max_pool(x, 3, 2, 0, true);
    x = b.relu(b.conv_bn(x, {scaled(64, m), 1, 1, 0}));
    x = b.relu(b.conv_bn(x, {scaled(192, m), 3, 1, 1}));
    x = b.max_pool(x, 3, 2, 0, true);
    // ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj; 0 rows are max pools (k, s).
    const int inc[][6] = {
        {64, 96, 128, 16, 32, 32},     {128, 128, 192, 32, 96, 64},   {0, 3, 0, 0, 0, 0},
        {192, 96, 208, 16, 48, 64},    {160, 112, 224, 24, 64, 64},   {128, 128, 256, 24, 64, 64},
        {112, 144, 288, 32, 64, 64},   {256, 160, 320, 32, 128, 128}, {0, 2, 0, 0, 0, 0},
        {256, 160, 320, 32, 128, 128}, {384, 192, 384, 48, 128, 128}};
    for (const auto& r : inc) {
        if (r[0] == 0) {
            x = b.max_pool(x, r[1], 2, 0, true);
            continue;
        }
        const double c = d.pick("channel", 1.0), es = d.pick("es", 1.0);
        const int64_t k3 = d.pick_int("kernelsize", 3), k5 = d.pick_int("kernelsize", 3);
        auto conv = [&](const Tensor& t, int64_t ch, int64_t k) {
            return b.relu(b.conv_bn(t, {ch, k, 1, k / 2}));
        };
        const Tensor b1 = conv(x, scaled(r[0], c), 1);
        const Tensor b2 = conv(conv(x, scaled(r[1], c * es), 1), scaled(r[2], c), k3);
        // torchvision's "5x5" branch is a 3x3 conv (kept from its original port).
        const Tensor b3 = conv(conv(x, scaled(r[3], c * es), 1), scaled(r[4], c), k5);
        const Tensor b4 = conv(b.max_pool(x, 3, 1, 1, true), scaled(r[5], c), 1);
        x = b.concat({b1, b2, b3, b4});
    }
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(b.dropout(x), o.classes));
}

onnx::ModelProto build_densenet(const std::string&, Draw& d, const NetOptions& o) {
    GraphBuilder b("densenet121", o.fold_bn);
    Tensor x = b.input(o.batch, 3, o.input, o.input);
    x = b.relu(b.conv_bn(x, {scaled(64, d.pick("channel", 1.0)), 7, 2, 3}));
    x = b.max_pool(x, 3, 2, 1);
    const int layers[] = {6, 12, 24, 16};
    for (int blk = 0; blk < 4; ++blk) {
        const int64_t growth = scaled(32, d.pick("channel", 1.0));
        const int64_t bottleneck = scaled(4 * growth, d.pick("es", 1.0));
        const int64_t k = d.pick_int("kernelsize", 3);
        std::vector<Tensor> features{x};
        for (int l = 0; l < layers[blk]; ++l) {
            // torchvision concatenates all earlier features before each layer's norm1.
            Tensor y = b.relu(b.batch_norm(b.concat(features)));
            y = b.relu(b.conv_bn(y, {bottleneck, 1, 1, 0}));
            features.push_back(b.conv(y, {growth, k, 1, k / 2}));
        }
        x = b.concat(features);
        if (blk < 3) {
            x = b.conv(b.relu(b.batch_norm(x)), {x.c() / 2, 1, 1, 0});
            x = b.avg_pool(x, 2, 2, 0);
        }
    }
    x = b.relu(b.batch_norm(x));
    x = b.flatten(b.global_avg_pool(x));
    return b.finish(b.gemm(x, o.classes));
}

}  // namespace nar::data::zoo
