#include "runner/trainer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include "common/error.h"
#include "common/fnv1a.h"
#include "jobs/metrics.h"
#include "jobs/study.h"
#include "model/losses.h"
#include "model/matmul_precision.h"
#include "runner/batch_sampler.h"
#include "runner/collate.h"
#include "runner/flat_adam.h"
#include "runner/lr_schedule.h"
#include "runner/signals.h"

namespace nar::runner {

using common::Error;

namespace {

std::vector<int64_t> node_counts(const std::vector<data::Sample>& samples) {
    std::vector<int64_t> n;
    n.reserve(samples.size());
    for (auto& s : samples) n.push_back(s.graph.num_nodes);
    return n;
}

std::vector<torch::Tensor> parameters_of(model::Predictor& m) { return m->parameters(); }

// Copies of tensors detached from autograd (best weights, checkpoint values).
std::vector<torch::Tensor> snapshot(const std::vector<torch::Tensor>& params) {
    std::vector<torch::Tensor> out;
    torch::NoGradGuard guard;
    for (auto& p : params) out.push_back(p.detach().clone());
    return out;
}

void restore(const std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& values) {
    torch::NoGradGuard guard;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(values[i]);
}

std::vector<double> to_vector(const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Data parallelism must keep the ranks' parameters bit-identical. Each rank
// hashes its parameter bytes; the sums of the hash halves equal G times this
// rank's halves on every rank only when all ranks agree.
void check_replicas_identical(Communicator& comm, const std::vector<torch::Tensor>& params) {
    uint64_t h = common::kFnvOffset;
    for (auto& p : params) {
        auto c = p.detach().to(torch::kCPU).contiguous();
        h = common::fnv1a64(c.data_ptr(), static_cast<size_t>(c.nbytes()), h);
    }
    const double hi = static_cast<double>(h >> 32), lo = static_cast<double>(h & 0xffffffffULL);
    std::vector<double> v{hi, lo};
    comm.allreduce_sum(v);
    const double g = static_cast<double>(comm.size());
    if (v[0] != g * hi || v[1] != g * lo) {
        throw Error("data-parallel ranks ended with different parameters (replica check failed)");
    }
}

}  // namespace

model::ModelConfig model_config_for(const jobs::JobConfig& cfg, int64_t node_dim,
                                    int64_t static_dim) {
    model::ModelConfig mc =
        model::with_overrides(model::ModelConfig::preset(cfg.study_def().model_preset), cfg.model);
    mc.node_dim = static_cast<int>(node_dim);
    mc.static_dim = static_cast<int>(static_dim);
    mc.validate();
    return mc;
}

Trainer::Trainer(const jobs::JobConfig& cfg, const StudyData& data, Communicator& comm,
                 std::string checkpoint_path)
    : cfg_(cfg),
      data_(data),
      comm_(comm),
      checkpoint_path_(std::move(checkpoint_path)),
      dtype_(cfg.dtype == "float64" ? torch::kFloat64 : torch::kFloat32),
      precision_(common::parse_precision(cfg.precision)),
      device_(cfg.device) {
    if (precision_ == common::Precision::BF16 && device_.is_cpu()) {
        model::require_bf16_support("precision=bf16 cannot run here");
        // A CPU with bf16 products may still run them slower than float32 (no AMX).
        // Measured once per process (about 40 ms), on the rank that logs.
        if (comm_.rank() == 0) {
            static const std::string slow =
                model::bf16_speed_warning(model::measure_product_rates());
            if (!slow.empty()) spdlog::warn("{}", slow);
        }
    }
    if (data_.train.empty()) throw Error("the training split is empty");
    if (data_.val.empty()) throw Error("the validation split is empty");
    if (data_.test.empty()) throw Error("the test split is empty");
    if (cfg_.target_scale == "mean") {
        double sum = 0;
        for (auto& s : data_.train) sum += s.target;
        scale_ = sum / static_cast<double>(data_.train.size());
        if (!(scale_ > 0) || !std::isfinite(scale_)) {
            throw Error("target_scale=mean needs positive training targets");
        }
    }
    const data::Graph& g0 = data_.train.front().graph;
    model_cfg_ = model_config_for(cfg_, g0.feat_dim, static_cast<int64_t>(g0.static_feat.size()));
    // The same seed on every rank gives identical initial weights; the
    // broadcast below makes that a guarantee rather than an assumption.
    torch::manual_seed(cfg_.seed);
    model_ = model::Predictor(model_cfg_);
    model_->to(device_, dtype_);
    comm_.broadcast_parameters(parameters_of(model_));
    // One fused pass over flat buffers (runner/flat_adam.h); numerically torch's Adam.
    optimizer_ =
        std::make_unique<FlatAdam>(parameters_of(model_), torch::optim::AdamOptions(cfg_.lr));
}

double Trainer::validation_metric(const std::vector<double>& pred) const {
    std::vector<double> y;
    for (auto& s : data_.val) y.push_back(s.target);
    return cfg_.latency() ? jobs::mape(pred, y) : jobs::kendall_tau_b(pred, y);
}

std::vector<double> Trainer::predict(const std::vector<data::Sample>& samples) {
    std::vector<double> pred(samples.size(), 0.0);
    if (samples.empty()) return pred;
    model_->eval();
    torch::NoGradGuard guard;
    const model::PrecisionGuard precision(precision_);
    auto batches = make_eval_batches(node_counts(samples), cfg_.eval_batch_size);
    // Batches are dealt round-robin to the ranks, then summed back together.
    for (size_t b = 0; b < batches.size(); ++b) {
        if (static_cast<int>(b % static_cast<size_t>(comm_.size())) != comm_.rank()) continue;
        std::vector<const data::Graph*> graphs;
        for (auto i : batches[b]) graphs.push_back(&samples[static_cast<size_t>(i)].graph);
        auto out = to_vector(model_->forward(collate(graphs, dtype_, device_)));
        for (size_t k = 0; k < out.size(); ++k) {
            pred[static_cast<size_t>(batches[b][k])] = out[k] * scale_;
        }
    }
    if (comm_.size() > 1) comm_.allreduce_sum(pred);
    model_->train();
    return pred;
}

Trainer::StepBatch Trainer::make_step_batch(const std::vector<int64_t>& batch,
                                            int64_t global_step) const {
    const int G = comm_.size();
    const int64_t bg = static_cast<int64_t>(batch.size());
    const int64_t lo = bg * comm_.rank() / G, hi = bg * (comm_.rank() + 1) / G;
    StepBatch b;
    b.seed = 2 * static_cast<uint64_t>(global_step);
    std::vector<const data::Graph*> partners;
    int64_t pairs_global = 0;  // AC pairs in the whole global batch
    for (int64_t k = 0; k < bg; ++k) {
        const auto& s = data_.train[static_cast<size_t>(batch[static_cast<size_t>(k)])];
        const bool has_pair = cfg_.ac_weight > 0 && s.augmented.num_nodes > 0;
        pairs_global += has_pair;
        if (k < lo || k >= hi) continue;
        b.graphs.push_back(&s.graph);
        b.targets.push_back(s.target / scale_);
        if (has_pair) {
            partners.push_back(&s.augmented);
            b.with_partner.push_back(k - lo);
        }
    }
    b.graphs.insert(b.graphs.end(), partners.begin(), partners.end());
    b.share = static_cast<double>(hi - lo) / static_cast<double>(bg);
    if (pairs_global > 0) {
        b.pair_share = static_cast<double>(partners.size()) / static_cast<double>(pairs_global);
    }
    return b;
}

// Each rank's loss is scaled by its share of the global batch, so the summed
// gradients are the full-batch gradients.
torch::Tensor Trainer::step_loss(const StepBatch& b) {
    const int64_t n = static_cast<int64_t>(b.targets.size());
    const int64_t pairs = static_cast<int64_t>(b.with_partner.size());
    torch::manual_seed(mix_seed(cfg_.seed, b.seed));
    const model::PrecisionGuard precision(precision_);
    auto pred = model_->forward(collate(b.graphs, dtype_, device_));
    auto orig = pred.slice(0, 0, n);
    auto target =
        torch::tensor(b.targets, torch::TensorOptions().dtype(torch::kFloat64)).to(device_, dtype_);
    auto loss = model::relative_mse(orig, target) * b.share;
    if (cfg_.sr_weight > 0 && n > 1) {
        std::mt19937_64 rng(mix_seed(cfg_.seed, b.seed + 1));
        std::vector<int64_t> perm(static_cast<size_t>(n));
        std::iota(perm.begin(), perm.end(), 0);
        for (size_t i = perm.size(); i > 1; --i)
            std::swap(perm[i - 1], perm[uniform_index(rng(), i)]);
        auto perm_t = torch::tensor(perm, torch::kInt64).to(device_);
        loss = loss + cfg_.sr_weight * b.share * model::sr_loss(orig, target, perm_t);
    }
    if (pairs > 0) {
        // Partners follow the originals, in the order of the originals that have one.
        auto idx = torch::tensor(b.with_partner, torch::kInt64).to(device_);
        auto aug = pred.slice(0, n, n + pairs);
        loss =
            loss + cfg_.ac_weight * b.pair_share * model::ac_loss(aug, orig.index_select(0, idx));
    }
    return loss;
}

void Trainer::sync_gradients() {
    for (auto& p : model_->parameters()) {
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    }
    if (comm_.size() > 1) comm_.allreduce_gradients(model_->parameters());
}

double Trainer::train_step(const StepBatch& b, double lr) {
    release_gradients(*optimizer_);
    double loss = 0;
    if (!b.targets.empty()) {
        auto l = step_loss(b);
        l.backward();
        loss = l.item<double>();
    }
    sync_gradients();
    if (!std::isfinite(loss)) throw Error("non-finite training loss");
    for (auto& group : optimizer_->param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
    optimizer_->step();
    return loss;
}

// All ranks must agree to stop at the same step.
bool Trainer::group_stop_requested() {
    double stop = stop_requested().load() ? 1.0 : 0.0;
    if (comm_.size() > 1) {
        std::vector<double> v{stop};
        comm_.allreduce_sum(v);
        stop = v[0];
    }
    return stop > 0;
}

void Trainer::write_checkpoint(const CheckpointState& s) {
    if (checkpoint_path_.empty() || comm_.rank() != 0) return;
    save_checkpoint(checkpoint_path_, cfg_.identity_text(), model_cfg_.to_text(), s,
                    model_->named_parameters(), best_params_, *optimizer_);
}

TrainOutput Trainer::run(bool resume) {
    TrainOutput out;
    const auto sizes = node_counts(data_.train);
    const int64_t steps_per_epoch =
        static_cast<int64_t>(make_batches(sizes, cfg_.batch_size, 0).size());
    LrSchedule schedule(cfg_.lr, steps_per_epoch * cfg_.epochs, cfg_.warmup_fraction);
    auto params = parameters_of(model_);

    CheckpointState st;
    st.best_metric = std::numeric_limits<double>::quiet_NaN();
    if (resume && !checkpoint_path_.empty()) {
        auto named = model_->named_parameters();
        if (load_checkpoint(checkpoint_path_, cfg_.identity_text(), st, named, best_params_,
                            *optimizer_, device_)) {
            // The saved partial-epoch loss is the group's sum; count it once.
            if (comm_.rank() != 0) st.loss_sum = st.loss_count = 0;
            out.train_loss = st.train_loss;
            out.val_metric = st.val_metric;
            out.lr = st.lr;
            out.best_epoch = st.best_epoch;
            out.epochs_done = st.epochs_done;
            if (comm_.rank() == 0) {
                spdlog::info("resuming from {} at epoch {} step {}", checkpoint_path_, st.epoch + 1,
                             st.step_in_epoch);
            }
        }
    }

    const bool leader = comm_.rank() == 0;
    const int G = comm_.size();
    const auto t_start = std::chrono::steady_clock::now();
    double graphs_trained = 0, nodes_trained = 0, step_secs = 0;
    model_->train();
    const int64_t start_epoch = st.epoch;
    for (int64_t epoch = start_epoch; epoch < cfg_.epochs; ++epoch) {
        const auto t_epoch = std::chrono::steady_clock::now();
        auto batches = make_batches(sizes, cfg_.batch_size, mix_seed(cfg_.seed, 1000 + epoch));
        int64_t step = epoch == start_epoch ? st.step_in_epoch : 0;
        if (epoch != start_epoch) st.loss_sum = st.loss_count = 0;
        for (; step < static_cast<int64_t>(batches.size()); ++step) {
            if (group_stop_requested()) {
                std::vector<double> partial{st.loss_sum, st.loss_count};
                if (G > 1) comm_.allreduce_sum(partial);
                CheckpointState cs = st;
                cs.epoch = epoch, cs.step_in_epoch = step;
                cs.loss_sum = partial[0], cs.loss_count = partial[1];
                write_checkpoint(cs);
                out.interrupted = true;
                return out;
            }
            const int64_t global_step = epoch * steps_per_epoch + step;
            const auto& batch = batches[static_cast<size_t>(step)];
            const auto t_step = std::chrono::steady_clock::now();
            StepBatch b = make_step_batch(batch, global_step);
            double loss = 0;
            try {
                loss = train_step(b, schedule.at(global_step));
            } catch (const Error& e) {  // say where, keep what
                throw Error(std::string(e.what()) + " at epoch " + std::to_string(epoch + 1) +
                            " step " + std::to_string(step));
            }
            step_secs +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t_step).count();
            for (const auto i : batch)
                nodes_trained += static_cast<double>(sizes[static_cast<size_t>(i)]);
            st.loss_sum += loss;  // already a share of the batch mean
            st.loss_count += b.share;
            graphs_trained += static_cast<double>(batch.size());
        }

        std::vector<double> sums{st.loss_sum, st.loss_count};
        if (G > 1) comm_.allreduce_sum(sums);
        const double epoch_loss = sums[0] / std::max(sums[1], 1e-12);
        if (!std::isfinite(epoch_loss)) {
            throw Error("non-finite training loss in epoch " + std::to_string(epoch + 1));
        }
        const double metric = validation_metric(predict(data_.val));
        out.train_loss.push_back(epoch_loss);
        out.val_metric.push_back(metric);
        out.lr.push_back(schedule.at((epoch + 1) * steps_per_epoch - 1));
        out.epochs_done = static_cast<int>(epoch + 1);
        if (out.best_epoch < 0 || jobs::better_metric(cfg_.study_def(), metric, st.best_metric)) {
            st.best_metric = metric;
            out.best_epoch = static_cast<int>(epoch);
            best_params_ = snapshot(params);
        }
        st.epoch = epoch + 1, st.step_in_epoch = 0, st.loss_sum = st.loss_count = 0;
        st.best_epoch = out.best_epoch, st.epochs_done = out.epochs_done;
        st.train_loss = out.train_loss, st.val_metric = out.val_metric, st.lr = out.lr;
        write_checkpoint(st);
        if (on_epoch_) on_epoch_(static_cast<int>(epoch + 1));

        if (leader) {
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
            const double rate = static_cast<double>(data_.train.size()) / std::max(secs, 1e-9);
            const double eta = secs * static_cast<double>(cfg_.epochs - epoch - 1);
            spdlog::info(
                "epoch {:>4}/{} loss {:.5f} val {} {:.4f} (best {:.4f} @ {}) lr {:.2e} "
                "{:.0f} graphs/s ETA {:.0f}s",
                epoch + 1, cfg_.epochs, epoch_loss, cfg_.latency() ? "mape" : "tau", metric,
                st.best_metric, out.best_epoch + 1, out.lr.back(), rate, eta);
        }
    }

    if (G > 1) check_replicas_identical(comm_, params);
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    out.train_graphs_per_s = graphs_trained / std::max(total, 1e-9);
    if (leader && graphs_trained > 0) {
        // Steps alone (collation included) vs the whole run: what validation,
        // checkpoints and logging cost on top of bench_train_step's figure.
        spdlog::info(
            "throughput: {:.1f} graphs/s ({:.0f} nodes/s, {:.0f} nodes/graph) in training steps, "
            "{:.1f} graphs/s with validation and checkpoints",
            graphs_trained / std::max(step_secs, 1e-9), nodes_trained / std::max(step_secs, 1e-9),
            nodes_trained / graphs_trained, out.train_graphs_per_s);
    }
    if (!best_params_.empty()) restore(params, best_params_);
    out.test_pred = predict(data_.test);
    return out;
}

}  // namespace nar::runner
