// Parity with the authors' implementation: forward values, traces, loss and
// every parameter gradient, for each golden case in float32 and float64.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "golden_util.h"
#include "model/losses.h"
#include "model/model_io.h"
#include "model/predictor.h"

namespace nar::model::test {
namespace {

struct Case {
    std::string name;
    std::string dtype;
};

ModelConfig golden_config(const std::string& name) {
    ModelConfig c = ModelConfig::preset(name == "accuracy_nb201" ? "accuracy" : "latency");
    c.hidden = 32;
    c.fc_hidden = 32;
    if (name == "accuracy_nb201") c.layers = 3;
    if (name == "latency_global_attn") c.attention = Attention::Global;
    if (name == "latency_no_degree") c.ta_enhance = false;
    return c;
}

// Rebuilds the per-graph dense adjacencies from the PyG-style batch and pads.
GraphBatch latency_batch(const common::H5File& f, torch::Dtype dt) {
    const auto x = read_tensor(f, "inputs/x", dt);
    const auto ei = read_long(f, "inputs/edge_index");
    const auto n_nodes = read_long(f, "inputs/n_nodes");
    const auto n_edges = read_long(f, "inputs/n_edges");
    std::vector<torch::Tensor> xs, adjs;
    int64_t off = 0, eoff = 0;
    for (int64_t i = 0; i < n_nodes.size(0); ++i) {
        const int64_t n = n_nodes[i].item<int64_t>(), e = n_edges[i].item<int64_t>();
        const auto edges = ei.narrow(1, eoff, e) - off;
        auto a = torch::zeros({n, n}, torch::TensorOptions().dtype(dt));
        a.index_put_({edges[0], edges[1]}, torch::ones({e}, a.options()));
        const auto ref = read_tensor(f, "inputs/adj_" + std::to_string(i), dt);
        EXPECT_TRUE(torch::equal(a, ref)) << "adjacency of graph " << i;
        xs.push_back(x.narrow(0, off, n));
        adjs.push_back(a);
        off += n;
        eoff += e;
    }
    return pad_graphs(xs, adjs, read_tensor(f, "inputs/static", dt));
}

GraphBatch accuracy_batch(const common::H5File& f, torch::Dtype dt) {
    GraphBatch b;
    b.x = read_tensor(f, "inputs/netcode", dt);
    b.adj = read_tensor(f, "inputs/adj", dt);
    b.mask = torch::ones({b.x.size(0), b.x.size(1)}, b.x.options());
    return b;
}

// A model golden case: its file, dtype, tolerances and config.
struct Golden {
    explicit Golden(const Case& c)
        : f64(c.dtype == "float64"),
          dt(f64 ? torch::kFloat64 : torch::kFloat32),
          rel(f64 ? 1e-9 : 1e-4),
          abs(f64 ? 0.0 : 1e-6),
          file(fixture("golden/model/" + c.name + "_" + c.dtype + ".h5"),
               common::H5File::Mode::Read),
          cfg(golden_config(c.name)) {}
    // The model in eval mode with the reference's weights.
    Predictor model() const {
        Predictor m(cfg);
        m->to(dt);
        m->eval();
        load_reference_state(m, file);
        return m;
    }
    GraphBatch batch() const {
        return cfg.task == Task::Latency ? latency_batch(file, dt) : accuracy_batch(file, dt);
    }
    // Every parameter's gradient against the reference's, through the name map.
    void expect_gradients(Predictor& model) const {
        auto params = model->named_parameters(true);
        int grads = 0;
        for (const auto& ref_name : file.read_strings("param_names")) {
            const auto* p = params.find(reference_to_ours(ref_name));
            ASSERT_NE(p, nullptr) << ref_name;
            ASSERT_TRUE(p->grad().defined()) << ref_name;
            EXPECT_TRUE(close(p->grad(), read_tensor(file, "grads/" + ref_name), rel, abs))
                << "grad of " << ref_name;
            ++grads;
        }
        EXPECT_EQ(grads, static_cast<int>(params.size()));
    }
    bool f64;
    torch::Dtype dt;
    double rel, abs;
    common::H5File file;
    ModelConfig cfg;
};

class ModelGolden : public ::testing::TestWithParam<Case> {};

TEST_P(ModelGolden, ForwardTracesLossAndGradients) {
    const Case c = GetParam();
    const Golden g(c);
    const auto dt = g.dt;
    const double rel = g.rel, abs = g.abs;
    const common::H5File& f = g.file;
    const ModelConfig& cfg = g.cfg;
    Predictor model = g.model();

    const bool latency = cfg.task == Task::Latency;
    const GraphBatch batch = g.batch();
    Trace tr;
    const auto pred = model->forward(batch, &tr);
    const auto y = read_tensor(f, "inputs/y", dt).view({-1});
    const auto loss = relative_mse(pred, y);
    loss.backward();

    EXPECT_TRUE(close(pred, read_tensor(f, "outputs/pred").view({-1}), rel, abs)) << "pred";
    EXPECT_TRUE(close(loss, read_tensor(f, "outputs/loss"), rel, abs)) << "loss";
    EXPECT_TRUE(close(tr.fc_1, read_tensor(f, "outputs/fc_1"), rel, abs)) << "fc_1";
    EXPECT_TRUE(close(tr.fc_2, read_tensor(f, "outputs/fc_2"), rel, abs)) << "fc_2";
    EXPECT_TRUE(close(tr.logit, read_tensor(f, "outputs/logit"), rel, abs)) << "logit";
    if (latency) {
        EXPECT_TRUE(close(tr.readout, read_tensor(f, "outputs/readout"), rel, abs)) << "readout";
        EXPECT_TRUE(close(tr.static_proj, read_tensor(f, "outputs/static_proj"), rel, abs))
            << "static_proj";
    } else {
        EXPECT_TRUE(close(tr.layer_means, read_tensor(f, "outputs/layer_means"), rel, abs))
            << "layer_means";
        EXPECT_TRUE(close(tr.layer_weights, read_tensor(f, "outputs/layer_weights"), rel, abs))
            << "layer_weights";
        EXPECT_TRUE(close(tr.fused, read_tensor(f, "outputs/fused"), rel, abs)) << "fused";
    }

    // Per-layer, per-graph traces.
    const std::pair<const char*, std::vector<torch::Tensor>*> kinds[] = {
        {"gnn_out", &tr.attn_out}, {"ffn_out", &tr.ffn_out}, {"block_out", &tr.block_out}};
    int traces = 0;
    for (const auto& [kind, ours] : kinds) {
        ASSERT_EQ(static_cast<int>(ours->size()), cfg.layers);
        for (int l = 0; l < cfg.layers; ++l) {
            for (int64_t i = 0; i < batch.size(); ++i) {
                const std::string name = std::string("trace/") + kind + "_" + std::to_string(l) +
                                         "/sample_" + std::to_string(i);
                const auto ref = read_tensor(f, name);
                const auto mine = (*ours)[l][i].narrow(0, 0, ref.size(1)).unsqueeze(0);
                EXPECT_TRUE(close(mine, ref, rel, abs)) << name;
                ++traces;
            }
        }
    }
    EXPECT_EQ(traces, 3 * cfg.layers * static_cast<int>(batch.size()));

    // Every parameter gradient, through the name map.
    g.expect_gradients(model);
}

// Untraced, the model takes its fused CPU kernels (l2norm_relu_dropout and
// friends): the prediction and every gradient still match the reference.
TEST_P(ModelGolden, FusedPathMatchesWithoutTrace) {
    const Case c = GetParam();
    const Golden g(c);
    const auto dt = g.dt;
    const double rel = g.rel, abs = g.abs;
    const common::H5File& f = g.file;
    Predictor model = g.model();
    const GraphBatch batch = g.batch();
    const auto pred = model->forward(batch);
    relative_mse(pred, read_tensor(f, "inputs/y", dt).view({-1})).backward();
    EXPECT_TRUE(close(pred, read_tensor(f, "outputs/pred").view({-1}), rel, abs)) << "pred";
    g.expect_gradients(model);
}

INSTANTIATE_TEST_SUITE_P(
    AllCases, ModelGolden,
    ::testing::Values(Case{"latency", "float32"}, Case{"latency", "float64"},
                      Case{"latency_global_attn", "float32"},
                      Case{"latency_global_attn", "float64"}, Case{"latency_no_degree", "float32"},
                      Case{"latency_no_degree", "float64"}, Case{"accuracy_nb201", "float32"},
                      Case{"accuracy_nb201", "float64"}),
    [](const ::testing::TestParamInfo<Case>& i) { return i.param.name + "_" + i.param.dtype; });

class SrLossGolden : public ::testing::TestWithParam<Case> {};

TEST_P(SrLossGolden, LossAndGradient) {
    const Case c = GetParam();
    const bool f64 = c.dtype == "float64";
    const auto dt = f64 ? torch::kFloat64 : torch::kFloat32;
    const double rel = f64 ? 1e-9 : 1e-4, abs = f64 ? 0.0 : 1e-6;
    common::H5File f(fixture("golden/model/srloss.h5"), common::H5File::Mode::Read);
    const std::string g = c.name + "/" + c.dtype + "/";
    auto p = read_tensor(f, g + "predicts", dt).requires_grad_(true);
    const auto t = read_tensor(f, g + "target", dt);
    const auto perm = read_long(f, g + "perm");
    const auto loss = sr_loss(p, t, perm);
    loss.backward();
    EXPECT_TRUE(close(loss, read_tensor(f, g + "loss"), rel, abs));
    EXPECT_TRUE(close(p.grad(), read_tensor(f, g + "grad_predicts"), rel, abs));
    if (f.exists(g + "mse_rel")) {
        const auto mse = relative_mse(p.detach(), t);
        EXPECT_TRUE(close(mse, read_tensor(f, g + "mse_rel"), rel, abs));
        EXPECT_TRUE(close(mse + 0.1 * loss.detach(),
                          read_tensor(f, g + "loss_total_mse_plus_0.1sr"), rel, abs));
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllCases, SrLossGolden,
    ::testing::Values(Case{"acc_model_b4", "float32"}, Case{"acc_model_b4", "float64"},
                      Case{"rand_b8_ties", "float32"}, Case{"rand_b8_ties", "float64"},
                      Case{"rand_b16", "float32"}, Case{"rand_b16", "float64"}),
    [](const ::testing::TestParamInfo<Case>& i) { return i.param.name + "_" + i.param.dtype; });

}  // namespace
}  // namespace nar::model::test
