// FlatAdam takes the same steps as torch::optim::Adam (to float tolerance),
// through lr changes, weight decay, save/load, and a parameter left without a
// gradient (the fallback path).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "runner/flat_adam.h"

using nar::runner::FlatAdam;

namespace {

struct Net : torch::nn::Module {
    Net() {
        a = register_module("a", torch::nn::Linear(7, 33));
        b = register_module("b", torch::nn::Linear(33, 5));
        gain = register_parameter("gain", torch::ones({5}));
        unused = register_parameter("unused", torch::randn({3, 3}));
    }
    torch::Tensor forward(const torch::Tensor& x, bool use_unused) {
        auto y = b(torch::tanh(a(x))) * gain;
        if (use_unused) y = y + unused.sum();
        return y;
    }
    torch::nn::Linear a{nullptr}, b{nullptr};
    torch::Tensor gain, unused;
};

// Starts `to` from the values of `from`.
void copy_parameters(Net& from, Net& to) {
    torch::NoGradGuard ng;
    const auto src = from.parameters(), dst = to.parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}

void expect_same(Net& x, Net& y, double rtol) {
    const auto px = x.parameters(), py = y.parameters();
    ASSERT_EQ(px.size(), py.size());
    for (size_t i = 0; i < px.size(); ++i) {
        EXPECT_TRUE(torch::allclose(px[i], py[i], rtol, 1e-6))
            << "parameter " << i << " max diff " << (px[i] - py[i]).abs().max().item<float>();
    }
}

// Runs `steps` identical steps on both; the lr changes every step as in a schedule.
// release: gradients released before each backward (as the trainer does), so
// FlatAdam reads autograd's own tensors instead of its flat buffer.
template <typename Opt>
void run(Net& net, Opt& opt, int first, int steps, bool use_unused, bool release = false) {
    for (int s = first; s < first + steps; ++s) {
        torch::manual_seed(100 + s);
        const auto x = torch::randn({16, 7});
        const auto t = torch::randn({16, 5});
        for (auto& g : opt.param_groups()) {
            static_cast<torch::optim::AdamOptions&>(g.options()).lr(1e-2 * (1.0 + 0.1 * s));
        }
        if (release) {
            nar::runner::release_gradients(opt);
        } else {
            opt.zero_grad();
        }
        (net.forward(x, use_unused) - t).pow(2).mean().backward();
        opt.step();
    }
}

}  // namespace

TEST(FlatAdam, MatchesTorchAdam) {
    for (double wd : {0.0, 0.01}) {
        torch::manual_seed(1);
        Net ref, flat;
        copy_parameters(ref, flat);
        torch::optim::Adam ref_opt(ref.parameters(),
                                   torch::optim::AdamOptions(1e-2).weight_decay(wd));
        FlatAdam flat_opt(flat.parameters(), torch::optim::AdamOptions(1e-2).weight_decay(wd));
        ASSERT_TRUE(flat_opt.flat());
        run(ref, ref_opt, 0, 30, true);
        run(flat, flat_opt, 0, 30, true);
        expect_same(ref, flat, 1e-5);
        // Parameters and gradients really live in the flat buffer.
        const auto& g = flat_opt.flat_grad();
        int64_t n = 0;
        for (const auto& p : flat.parameters()) {
            EXPECT_EQ(p.grad().data_ptr<float>(), g.data_ptr<float>() + n);
            n += p.numel();
        }
        EXPECT_EQ(n, g.numel());
    }
}

TEST(FlatAdam, ReleasedGradientsGiveTheSameSteps) {
    for (double wd : {0.0, 0.01}) {
        torch::manual_seed(4);
        Net ref, flat;
        copy_parameters(ref, flat);
        torch::optim::Adam ref_opt(ref.parameters(),
                                   torch::optim::AdamOptions(1e-2).weight_decay(wd));
        FlatAdam flat_opt(flat.parameters(), torch::optim::AdamOptions(1e-2).weight_decay(wd));
        run(ref, ref_opt, 0, 20, true);
        run(flat, flat_opt, 0, 20, true, true);
        expect_same(ref, flat, 1e-5);
        ASSERT_TRUE(flat_opt.flat());
        // The gradients are autograd's tensors, not the flat buffer's slices.
        const auto& g = flat_opt.flat_grad();
        const auto* lo = g.data_ptr<float>();
        const auto* p = flat.a->weight.grad().data_ptr<float>();
        EXPECT_TRUE(p < lo || p >= lo + g.numel());
        nar::runner::release_gradients(flat_opt);
        for (const auto& q : flat.parameters()) EXPECT_FALSE(q.grad().defined());
    }
}

TEST(FlatAdam, ParameterWithoutGradientFallsBackLikeAdam) {
    torch::manual_seed(2);
    Net ref, flat;
    copy_parameters(ref, flat);
    // `unused` never gets a gradient in torch's Adam either: it keeps its value.
    ref.unused.mutable_grad() = torch::Tensor();
    torch::optim::Adam ref_opt(ref.parameters(), torch::optim::AdamOptions(1e-2));
    FlatAdam flat_opt(flat.parameters(), torch::optim::AdamOptions(1e-2));
    flat.unused.mutable_grad() = torch::Tensor();
    run(ref, ref_opt, 0, 5, false);
    run(flat, flat_opt, 0, 5, false);
    expect_same(ref, flat, 1e-5);
    // Then it joins: both optimisers now keep per-parameter step counts.
    run(ref, ref_opt, 5, 5, true);
    run(flat, flat_opt, 5, 5, true);
    expect_same(ref, flat, 1e-5);
}

TEST(FlatAdam, SaveAndLoadContinueTheSameTrajectory) {
    torch::manual_seed(3);
    Net ref, flat;
    copy_parameters(ref, flat);
    torch::optim::Adam ref_opt(ref.parameters(), torch::optim::AdamOptions(1e-2));
    FlatAdam flat_opt(flat.parameters(), torch::optim::AdamOptions(1e-2));
    run(ref, ref_opt, 0, 10, true);
    run(flat, flat_opt, 0, 10, true);
    // Checkpoint the flat optimiser, load it into a fresh one over the same net.
    std::stringstream buf;
    {
        torch::serialize::OutputArchive out;
        flat_opt.save(out);
        out.save_to(buf);
    }
    FlatAdam resumed(flat.parameters(), torch::optim::AdamOptions(1e-2));
    {
        torch::serialize::InputArchive in;
        in.load_from(buf);
        resumed.load(in);
    }
    run(ref, ref_opt, 10, 10, true);
    run(flat, resumed, 10, 10, true);
    expect_same(ref, flat, 1e-5);
}
