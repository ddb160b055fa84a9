// OnnxExecutor: every tensor of every family's model 0 has the ONNX-inferred shape;
// unsupported ops are refused naming file, node and op; latency orders as FLOPs do.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "data/onnx_model.h"
#include "data/zoo/family.h"
#include "data/zoo/zoo_generate.h"
#include "runner/onnx_executor.h"

namespace {

namespace zoo = nar::data::zoo;
using nar::runner::OnnxExecutor;

nar::data::InferredModel infer(const onnx::ModelProto& m, const std::string& label, int64_t batch) {
    return nar::data::load_onnx_model(zoo::serialize_model(m), label, batch);
}

class ExecutorShapes : public testing::TestWithParam<std::string> {};

TEST_P(ExecutorShapes, EveryTensorHasTheInferredShape) {
    const auto& fam = zoo::find_family(GetParam());
    zoo::NetOptions o;
    o.input = 64;  // small, to stay fast; the graph structure is the same
    o.batch = 2;
    o.fold_bn = GetParam() != "resnet";  // one family with BatchNormalization nodes
    const auto im = infer(zoo::zoo_model(fam, nullptr, nullptr, o, nullptr), GetParam(), 2);
    torch::set_num_threads(1);
    const OnnxExecutor ex(im.model, GetParam(), torch::kCPU);
    const auto traced = ex.run_traced(ex.random_input());
    ASSERT_FALSE(traced.empty());
    for (const auto& [name, t] : traced) {
        auto it = im.shapes.find(name);
        ASSERT_TRUE(it != im.shapes.end() && it->second) << name;
        if (it->second->dims.empty()) continue;  // scalar constants
        EXPECT_EQ(t.sizes().vec(), it->second->dims) << GetParam() << " tensor " << name;
    }
    const auto out = ex.run(ex.random_input(3));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].size(0), 2);
    EXPECT_TRUE(torch::isfinite(out[0]).all().item<bool>()) << GetParam();
}

std::vector<std::string> family_names() {
    std::vector<std::string> n;
    for (const auto& f : zoo::zoo_families()) n.push_back(f.name);
    return n;
}

INSTANTIATE_TEST_SUITE_P(Zoo, ExecutorShapes, testing::ValuesIn(family_names()),
                         [](const auto& i) { return i.param; });

TEST(Executor, SampledNetworksRunToo) {
    const auto& fam = zoo::find_family("mobilenetv3");
    const auto space = zoo::bundled_sampling_space("mobilenetv3");
    zoo::Sampler s(5);
    zoo::NetOptions o;
    o.input = 64;
    for (int i = 0; i < 3; ++i) {
        const auto im = infer(zoo::zoo_model(fam, &space, &s, o, nullptr), "sampled", 1);
        const OnnxExecutor ex(im.model, "sampled", torch::kCPU);
        const auto out = ex.run(ex.random_input());
        EXPECT_EQ(out[0].sizes().vec(), (std::vector<int64_t>{1, 1000}));
    }
}

TEST(Executor, RefusesAnUnsupportedOpNamingFileNodeAndOp) {
    auto im = infer(zoo::torchvision_network("squeezenet1_1", {}), "sq", 1);
    im.model.mutable_graph()->mutable_node(1)->set_op_type("LRN");
    im.model.mutable_graph()->mutable_node(1)->set_name("the_lrn");
    try {
        OnnxExecutor ex(im.model, "net.onnx", torch::kCPU);
        FAIL() << "no error";
    } catch (const nar::common::Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("net.onnx: node 'the_lrn' (LRN): operator 'LRN' is not supported"),
                  std::string::npos)
            << m;
    }
}

TEST(Executor, ReadsAFileAndNamesAMissingOne) {
    EXPECT_THROW(OnnxExecutor::from_file("/nonexistent/x.onnx", 1, torch::kCPU),
                 nar::common::Error);
}

// Very different networks (>3x apart in multiply-adds at every step) time in FLOPs
// order: vgg16 > resnet50 > resnet18 > mobilenet_v2, batch 1, input 112, one thread.
// Interleaved rounds and the minimum per network keep it robust on a loaded machine.
TEST(Executor, LatencyOrdersAsFlops) {
    torch::set_num_threads(1);
    zoo::NetOptions o;
    o.input = 112;
    const char* nets[] = {"vgg16", "resnet50", "resnet18", "mobilenet_v2"};
    std::vector<OnnxExecutor> ex;
    for (const char* n : nets)
        ex.emplace_back(infer(zoo::torchvision_network(n, o), n, 1).model, n, torch::kCPU);
    std::vector<double> best(4, 1e30);
    const torch::Tensor x = ex[0].random_input();
    for (auto& e : ex) e.run(x);  // warm-up
    for (int round = 0; round < 4; ++round)
        for (size_t i = 0; i < ex.size(); ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            ex[i].run(x);
            best[i] = std::min(
                best[i],
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
    for (size_t i = 0; i + 1 < ex.size(); ++i)
        EXPECT_GT(best[i], best[i + 1]) << nets[i] << " vs " << nets[i + 1];
}

}  // namespace
