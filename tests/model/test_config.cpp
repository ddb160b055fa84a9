// ModelConfig: presets, validation messages, text round trip; losses; the
// grouped vs dense FFN size.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

#include "common/error.h"
#include "model/losses.h"
#include "model/model_config.h"
#include "model/predictor.h"
#include "tests/common/test_helpers.h"

namespace nar::model {
namespace {

using nar::test::error_of;

TEST(ModelConfigTest, PresetsArePaperSettings) {
    const auto lat = ModelConfig::preset("latency");
    EXPECT_EQ(lat.task, Task::Latency);
    EXPECT_EQ(lat.layers, 2);
    EXPECT_EQ(lat.hidden, 512);
    EXPECT_EQ(lat.fc_hidden, 512);
    EXPECT_EQ(lat.node_dim, 152);
    EXPECT_EQ(lat.static_dim, 40);
    EXPECT_EQ(lat.groups, 8);
    EXPECT_EQ(lat.ffn_ratio, 4);
    EXPECT_DOUBLE_EQ(lat.dropout, 0.05);
    EXPECT_DOUBLE_EQ(lat.gamma_init, 1e-4);
    const auto acc = ModelConfig::preset("accuracy");
    EXPECT_EQ(acc.task, Task::Accuracy);
    EXPECT_EQ(acc.layers, 6);
    EXPECT_EQ(acc.hidden, 512);
    EXPECT_EQ(acc.node_dim, 128);
    EXPECT_EQ(acc.static_dim, 0);
    EXPECT_NE(error_of([] { ModelConfig::preset("nope"); }).find("unknown preset 'nope'"),
              std::string::npos);
}

TEST(ModelConfigTest, ValidationErrorsNameTheProblem) {
    ModelConfig c = ModelConfig::preset("latency");
    c.hidden = 30;
    EXPECT_NE(error_of([&] { c.validate(); }).find("hidden (30) is not divisible by groups (8)"),
              std::string::npos);
    EXPECT_THROW(Predictor{c}, common::Error);
    c = ModelConfig::preset("accuracy");
    c.static_dim = 4;
    EXPECT_NE(error_of([&] { c.validate(); }).find("static_dim must be 0"), std::string::npos);
    c = ModelConfig::preset("latency");
    c.dropout = 1.5;
    EXPECT_NE(error_of([&] { c.validate(); }).find("dropout"), std::string::npos);
    c = ModelConfig::preset("latency");
    c.layers = 0;
    EXPECT_NE(error_of([&] { c.validate(); }).find("layers must be >= 1"), std::string::npos);
}

TEST(ModelConfigTest, SetFromStrings) {
    ModelConfig c = ModelConfig::preset("latency");
    c.set("attention", "global");
    c.set("ffn", "dense");
    c.set("ta_enhance", "false");
    c.set("hidden", "256");
    c.set("dropout", "0.1");
    EXPECT_EQ(c.attention, Attention::Global);
    EXPECT_EQ(c.ffn, Ffn::Dense);
    EXPECT_FALSE(c.ta_enhance);
    EXPECT_EQ(c.hidden, 256);
    EXPECT_DOUBLE_EQ(c.dropout, 0.1);
    EXPECT_NE(error_of([&] { c.set("bogus", "1"); }).find("unknown key 'bogus'"),
              std::string::npos);
    EXPECT_NE(error_of([&] { c.set("attention", "sparse"); }).find("local|global"),
              std::string::npos);
    EXPECT_NE(error_of([&] { c.set("hidden", "12x"); }).find("needs an integer"),
              std::string::npos);
    EXPECT_NE(error_of([&] { c.set("structure", "mlp"); }).find("transformer|gnn"),
              std::string::npos);
}

TEST(ModelConfigTest, TextRoundTrip) {
    ModelConfig c = ModelConfig::preset("accuracy");
    c.attention = Attention::Global;
    c.gamma_init = 0.123456789012345;
    const std::string text = c.to_text();
    EXPECT_NE(text.find("task=accuracy\n"), std::string::npos);
    EXPECT_NE(text.find("layers=6\n"), std::string::npos);
    EXPECT_NE(text.find("dropout=0.05\n"), std::string::npos) << text;
    const ModelConfig back = ModelConfig::from_text(text);
    EXPECT_EQ(back, c);
    EXPECT_EQ(back.to_text(), text);
    EXPECT_DOUBLE_EQ(back.gamma_init, 0.123456789012345);
    EXPECT_NE(error_of([] { ModelConfig::from_text("layers 3\n"); }).find("not key=value"),
              std::string::npos);
    EXPECT_NE(error_of([] { ModelConfig::from_text("hidden=30\n"); }).find("divisible"),
              std::string::npos);
}

// The text stored in model files, checkpoints and result files: its keys, order
// and number format must not move, or saved models and resumes stop matching.
TEST(ModelConfigTest, TextFormatIsStable) {
    ModelConfig c = ModelConfig::preset("latency");
    c.gamma_init = 0.123456789012345;
    EXPECT_EQ(c.to_text(),
              "task=latency\nstructure=transformer\nattention=local\nta_enhance=true\n"
              "ffn=grouped\nnode_dim=152\nstatic_dim=40\nhidden=512\nfc_hidden=512\n"
              "layers=2\nffn_ratio=4\ngroups=8\ndropout=0.05\ngamma_init=0.123456789012345\n");
    const auto fields = config_fields(c);
    EXPECT_EQ(fields.size(), 14u);
    EXPECT_EQ(fields.at("ta_enhance"), "true");
    EXPECT_EQ(fields.at("gamma_init"), "0.123456789012345");
    EXPECT_NE(ModelConfig::preset("latency").to_text().find("gamma_init=0.0001\n"),
              std::string::npos);
}

TEST(ModelConfigTest, EnumKeysNameTheirValues) {
    EXPECT_EQ(allowed_values("attention"), (std::vector<std::string>{"local", "global"}));
    EXPECT_EQ(allowed_values("structure"), (std::vector<std::string>{"transformer", "gnn"}));
    EXPECT_EQ(allowed_values("ffn"), (std::vector<std::string>{"grouped", "dense"}));
    EXPECT_EQ(allowed_values("task"), (std::vector<std::string>{"latency", "accuracy"}));
    EXPECT_TRUE(allowed_values("hidden").empty());
    EXPECT_TRUE(allowed_values("ta_enhance").empty());
    EXPECT_TRUE(allowed_values("bogus").empty());
    EXPECT_EQ(to_string(Ffn::Dense), "dense");
    // Each name sets its value back.
    for (const auto& key : {"attention", "structure", "ffn", "task"}) {
        for (const auto& name : allowed_values(key)) {
            ModelConfig c;
            c.set(key, name);
            EXPECT_EQ(config_fields(c).at(key), name);
        }
    }
}

TEST(ModelConfigTest, NumbersAndFlagsAreStrict) {
    ModelConfig c;
    for (const char* bad : {"", "3.5", "1e3", "99999999999", "0x10", "4 4"})
        EXPECT_NE(error_of([&] { c.set("layers", bad); }).find("'layers' needs an integer"),
                  std::string::npos)
            << bad;
    for (const char* bad : {"yes", "on", "TRUE", "2"})
        EXPECT_NE(error_of([&] { c.set("ta_enhance", bad); }).find("needs true|false"),
                  std::string::npos)
            << bad;
    EXPECT_NE(error_of([&] { c.set("dropout", "0.1x"); }).find("'dropout' needs a number"),
              std::string::npos);
    c.set("layers", " 7 ");  // values are trimmed, as in a model file
    c.set("ta_enhance", "0");
    c.set("dropout", "1e-1");
    EXPECT_EQ(c.layers, 7);
    EXPECT_FALSE(c.ta_enhance);
    EXPECT_DOUBLE_EQ(c.dropout, 0.1);
}

int64_t ffn_params(const ModelConfig& c) {
    Predictor m(c);
    int64_t n = 0;
    for (const auto& kv : m->named_parameters()) {
        if (kv.key().find(".ffn.") != std::string::npos) n += kv.value().numel();
    }
    return n;
}

TEST(ModelConfigTest, GroupedFfnHasAboutAnEighthOfDenseParameters) {
    ModelConfig c = ModelConfig::preset("latency");
    const int64_t grouped = ffn_params(c);
    c.ffn = Ffn::Dense;
    const int64_t dense = ffn_params(c);
    // per layer: grouped 2·8·64·256 + biases + LNs = 265344; dense 2·512·2048 + biases = 2099712
    EXPECT_EQ(grouped, 2 * 265344);
    EXPECT_EQ(dense, 2 * 2099712);
    const double ratio = static_cast<double>(dense) / grouped;
    EXPECT_GT(ratio, 7.5);
    EXPECT_LT(ratio, 8.5);
}

TEST(ModelLosses, ValuesAndErrors) {
    const auto p = torch::tensor({1.0, 3.0, 2.0}, torch::kFloat64);
    const auto y = torch::tensor({2.0, 3.0, 1.0}, torch::kFloat64);
    // ((0.5-1)^2 + 0 + (2-1)^2)/3
    EXPECT_NEAR(relative_mse(p, y).item<double>(), 1.25 / 3, 1e-15);
    // perm [2,0,1]: d_p = [-1, 2, -1], d_y = [1, 1, -2] -> |[-2, 1, 1]| mean 4/3
    EXPECT_NEAR(sr_loss(p, y, torch::tensor({2, 0, 1}, torch::kInt64)).item<double>(), 4.0 / 3,
                1e-15);
    EXPECT_NEAR(ac_loss(p, y).item<double>(), 2.0 / 3, 1e-15);
    EXPECT_THROW(relative_mse(p, y.view({3, 1})), common::Error);
    EXPECT_THROW(sr_loss(p, y, torch::tensor({0, 1}, torch::kInt64)), common::Error);
}

TEST(ModelInit, LayerScaleAndGroupLinearInit) {
    torch::manual_seed(0);
    Predictor m(ModelConfig::preset("latency"));
    auto params = m->named_parameters();
    EXPECT_TRUE(torch::allclose(*params.find("blocks.0.gamma"), torch::full({512}, 1e-4)));
    EXPECT_TRUE(torch::equal(*params.find("blocks.1.ffn.up.bias"), torch::zeros({8, 1, 256})));
    // Xavier bound for [8, 64, 256]: fan_in 64·256, fan_out 8·256.
    const double bound = std::sqrt(6.0 / (64 * 256 + 8 * 256));
    const auto w = *params.find("blocks.1.ffn.up.weight");
    EXPECT_LE(w.abs().max().item<double>(), bound);
    EXPECT_GT(w.abs().max().item<double>(), 0.9 * bound);
    // Head bias ~ U(±1/√out): fc1 out = 512.
    const auto b = *params.find("head.mlp.fc1.bias");
    EXPECT_LE(b.abs().max().item<double>(), 1.0 / std::sqrt(512.0));
    EXPECT_GT(b.abs().max().item<double>(), 0.9 / std::sqrt(512.0));
}

}  // namespace
}  // namespace nar::model
