// Model 0 of every family is the torchvision network: parameter count and
// multiply-adds as torchvision publishes them, and (BN folded, as exported) the same
// per-node costs as the golden torchvision exports.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "data/flops.h"
#include "data/onnx_model.h"
#include "data/zoo/family.h"
#include "data/zoo/zoo_generate.h"
#include "data/zoo/zoo_stats.h"

namespace {

namespace zoo = nar::data::zoo;
using nar::data::count_flops;
using nar::data::FlopsMode;
using nar::data::load_onnx_model;

struct Published {
    const char* net;
    int64_t params;  // torchvision's table (or the authors', see below)
    double gmacs;    // its "GFLOPS" column (multiply-adds), two decimals
};

// torchvision.models documentation (weights tables, acc@1 pages): params and GFLOPS.
// proxylessnas_mobile is not in torchvision: ProxylessNAS-Mobile as its authors publish
// it, 4.1 M parameters (Cai et al., ICLR 2019, Table 2) and 320 M multiply-adds
// (mit-han-lab/proxylessnas README). 4,080,512 is the exact count of their released
// proxyless_mobile network (conv and linear weights, BN affine parameters), which rounds
// to the paper's 4.1 M.
const Published kPublished[] = {
    {"alexnet", 61100840, 0.71},
    {"vgg11", 132863336, 7.61},
    {"vgg13", 133047848, 11.31},
    {"vgg16", 138357544, 15.47},
    {"vgg19", 143667240, 19.63},
    {"resnet18", 11689512, 1.81},
    {"resnet34", 21797672, 3.66},
    {"resnet50", 25557032, 4.09},
    {"squeezenet1_0", 1248424, 0.82},
    {"squeezenet1_1", 1235496, 0.35},
    {"googlenet", 6624904, 1.50},
    {"densenet121", 7978856, 2.83},
    {"mobilenet_v2", 3504872, 0.30},
    {"mobilenet_v3_large", 5483032, 0.22},
    {"mobilenet_v3_small", 2542856, 0.06},
    {"mnasnet1_0", 4383312, 0.31},
    {"mnasnet0_5", 2218512, 0.10},
    {"efficientnet_b0", 5288548, 0.39},
    {"shufflenet_v2_x1_0", 2278604, 0.14},
    {"shufflenet_v2_x0_5", 1366792, 0.04},
    {"proxylessnas_mobile", 4080512, 0.32},
};

nar::data::InferredModel infer(const onnx::ModelProto& m, const std::string& label) {
    return load_onnx_model(zoo::serialize_model(m), label, 1);
}

class PublishedSizes : public testing::TestWithParam<Published> {};

TEST_P(PublishedSizes, MatchTorchvisionTable) {
    const Published& p = GetParam();
    zoo::NetOptions o;
    o.fold_bn = false;  // torchvision counts BN affine parameters, not running stats
    const auto im = infer(zoo::torchvision_network(p.net, o), p.net);
    const zoo::NetStats s = zoo::net_stats(im.model.graph(), im.shapes);
    EXPECT_EQ(s.params, p.params) << p.net;
    EXPECT_NEAR(static_cast<double>(s.macs) / 1e9, p.gmacs, 0.005 + 1e-9) << p.net;
}

INSTANTIATE_TEST_SUITE_P(Zoo, PublishedSizes, testing::ValuesIn(kPublished),
                         [](const auto& i) { return std::string(i.param.net); });

TEST(ZooModels, ModelZeroOfEveryFamilyIsItsFirstTorchvisionVariant) {
    for (const auto& f : zoo::zoo_families()) {
        std::string key;
        const auto m = zoo::zoo_model(f, nullptr, nullptr, {}, &key);
        zoo::Draw d;
        EXPECT_EQ(zoo::serialize_model(m), zoo::serialize_model(f.build(f.variants[0], d, {})))
            << f.name;
    }
}

// Golden torchvision exports (tests/fixtures/golden/onnx/tv_*.onnx) exist for these.
const char* kGoldenNets[] = {
    "alexnet",      "densenet121",        "efficientnet_b0", "googlenet", "mnasnet0_5",
    "mobilenet_v2", "mobilenet_v3_small", "resnet18",        "resnet50",  "squeezenet1_1",
    "vgg11"};

class GoldenParity : public testing::TestWithParam<const char*> {};

TEST_P(GoldenParity, ConvAndGemmCostsEqualTheExport) {
    const std::string net = GetParam();
    const std::string path = std::string(NAR_FIXTURES) + "/golden/onnx/tv_" + net + ".onnx";
    const auto gold = load_onnx_model(nar::data::read_file_bytes(path), path, 1);
    const auto ours = infer(zoo::torchvision_network(net, {}), net);
    auto costs = [](const nar::data::InferredModel& im, const std::string& label) {
        const auto t = count_flops(im.model.graph(), im.shapes, FlopsMode::compat, label);
        std::map<std::string, std::array<double, 3>> by_op;  // count, flops, params
        for (int i = 0; i < im.model.graph().node_size(); ++i) {
            const std::string& op = im.model.graph().node(i).op_type();
            if (op != "Conv" && op != "Gemm" && op != "BatchNormalization") continue;
            auto& c = by_op[op];
            c[0] += 1;
            c[1] += t.per_node[static_cast<size_t>(i)].flops;
            c[2] += t.per_node[static_cast<size_t>(i)].params;
        }
        return by_op;
    };
    const auto g = costs(gold, path), o = costs(ours, net);
    ASSERT_EQ(g.size(), o.size()) << net;
    for (const auto& [op, c] : g) {
        ASSERT_TRUE(o.count(op)) << net << " lacks " << op;
        EXPECT_EQ(o.at(op)[0], c[0]) << net << " " << op << " count";
        EXPECT_EQ(o.at(op)[1], c[1]) << net << " " << op << " FLOPs";
        EXPECT_EQ(o.at(op)[2], c[2]) << net << " " << op << " params";
    }
}

INSTANTIATE_TEST_SUITE_P(Zoo, GoldenParity, testing::ValuesIn(kGoldenNets),
                         [](const auto& i) { return std::string(i.param); });

}  // namespace
