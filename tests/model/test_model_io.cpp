// Model files: round trip and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "common/error.h"
#include "common/h5.h"
#include "model/model_io.h"

namespace nar::model {
namespace {

std::string tmp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("nar_test_model_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

GraphBatch random_batch(int64_t feat, int64_t static_dim) {
    torch::manual_seed(5);
    std::vector<torch::Tensor> xs, adjs;
    for (int64_t n : {4, 7}) {
        xs.push_back(torch::randn({n, feat}));
        auto a = (torch::rand({n, n}) > 0.4).to(torch::kFloat32).triu(1);
        adjs.push_back(a + a.t());
    }
    return pad_graphs(xs, adjs, static_dim ? torch::randn({2, static_dim}) : torch::Tensor());
}

TEST(ModelIo, RoundTripGivesIdenticalOutputs) {
    for (const char* preset : {"latency", "accuracy"}) {
        ModelConfig c = ModelConfig::preset(preset);
        c.hidden = 64;
        c.fc_hidden = 48;
        c.layers = 2;
        torch::manual_seed(3);
        Predictor m(c);
        m->eval();
        const std::string path = tmp_path(std::string(preset) + ".h5");
        save_model(path, c, m);
        EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
        auto [c2, m2] = load_model(path);
        m2->eval();
        EXPECT_EQ(c2, c);
        const auto b = random_batch(c.node_dim, c.static_dim);
        EXPECT_TRUE(torch::equal(m->forward(b), m2->forward(b))) << preset;
        common::H5File f(path, common::H5File::Mode::Read);
        EXPECT_EQ(f.read_attr_string("/", "format"), "nar-model-1");
        EXPECT_EQ(f.read_attr_string("/", "config"), c.to_text());
        EXPECT_EQ(f.children("params").size(), m->named_parameters().size());
        std::remove(path.c_str());
    }
}

TEST(ModelIo, Float64RoundTrip) {
    ModelConfig c = ModelConfig::preset("latency");
    c.hidden = 16;
    c.fc_hidden = 16;
    Predictor m(c);
    m->to(torch::kFloat64);
    m->eval();
    const std::string path = tmp_path("f64.h5");
    save_model(path, c, m);
    auto [c2, m2] = load_model(path);
    m2->eval();
    const auto b = random_batch(c.node_dim, c.static_dim).to(torch::kFloat64);
    const auto out = m2->forward(b);
    EXPECT_EQ(out.scalar_type(), torch::kFloat64);
    EXPECT_TRUE(torch::equal(m->forward(b), out));
    std::remove(path.c_str());
}

std::string load_error(const std::string& path) {
    try {
        load_model(path);
    } catch (const common::Error& e) {
        return e.what();
    }
    return "<no error>";
}

TEST(ModelIo, ClearErrors) {
    const std::string path = tmp_path("bad.h5");
    {
        common::H5File f(path, common::H5File::Mode::Truncate);
        f.write_scalar_f64("x", 1.0);
    }
    EXPECT_NE(load_error(path).find("not a nar model file"), std::string::npos);

    ModelConfig c = ModelConfig::preset("latency");
    c.hidden = 16;
    c.fc_hidden = 16;
    Predictor m(c);
    save_model(path, c, m);
    {
        common::H5File f(path, common::H5File::Mode::ReadWrite);
        f.write_f32("params/head.mlp.out.bias", {1.f, 2.f}, {2});
    }
    const std::string shape_err = load_error(path);
    EXPECT_NE(shape_err.find("head.mlp.out.bias has shape [2]"), std::string::npos) << shape_err;

    c.layers = 3;  // the file now lacks blocks.2.*
    {
        common::H5File f(path, common::H5File::Mode::ReadWrite);
        f.write_attr_string("/", "config", c.to_text());
    }
    EXPECT_NE(load_error(path).find("missing parameter blocks.2."), std::string::npos);
    std::remove(path.c_str());
    EXPECT_THROW(load_model(path), common::Error);  // no such file
}

TEST(ModelIo, ReferenceNameMap) {
    EXPECT_EQ(reference_to_ours("gnn_layers.1.lin_qk.weight"), "blocks.1.attn.qk.weight");
    EXPECT_EQ(reference_to_ours("gnn_layers.0.lin_l.bias"), "blocks.0.attn.agg.bias");
    EXPECT_EQ(reference_to_ours("gnn_layers.0.lin_r.weight"), "blocks.0.attn.root.weight");
    EXPECT_EQ(reference_to_ours("gnn_layers.2.lin_d.bias"), "blocks.2.attn.deg.bias");
    EXPECT_EQ(reference_to_ours("FFN_layers.1.norm.weight"), "blocks.1.norm.weight");
    EXPECT_EQ(reference_to_ours("FFN_layers.0.fn.net.0.weights"), "blocks.0.ffn.up.weight");
    EXPECT_EQ(reference_to_ours("FFN_layers.0.fn.net.3.normalization_fn.bias"),
              "blocks.0.ffn.down.norm.bias");
    EXPECT_EQ(reference_to_ours("layer_scale.4"), "blocks.4.gamma");
    EXPECT_EQ(reference_to_ours("norm_sf_linear.weight"), "head.static_proj.weight");
    EXPECT_EQ(reference_to_ours("fusion_mlp.2.bias"), "head.fusion_out.bias");
    EXPECT_EQ(reference_to_ours("predictor.weight"), "head.mlp.out.weight");
    EXPECT_THROW(reference_to_ours("gnn_layers.x.lin_qk.weight"), common::Error);
    EXPECT_THROW(reference_to_ours("something.else"), common::Error);
}

}  // namespace
}  // namespace nar::model
