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
#include "common/h5.h"
#include "jobs/metrics.h"
#include "model/losses.h"
#include "runner/batch_sampler.h"
#include "runner/collate.h"
#include "runner/job_runner.h"
#include "runner/lr_schedule.h"

namespace nar::runner {

using common::Error;
using common::H5File;

namespace {

constexpr const char* kCheckpointFormat = "nar-checkpoint-1";

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

void write_tensor(H5File& f, const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    common::Shape shape;
    for (auto d : c.sizes()) shape.push_back(static_cast<hsize_t>(d));
    f.write_f64(name, std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel()),
                shape);
}

// Checkpoint values are stored as float64 so float32 and float64 runs both
// restore exactly (float32 → float64 → float32 is lossless).
torch::Tensor read_tensor(const H5File& f, const std::string& name, const torch::Tensor& like) {
    common::Shape shape;
    auto v = f.read_f64(name, &shape);
    if (static_cast<int64_t>(v.size()) != like.numel()) {
        throw Error(f.path() + ": checkpoint tensor '" + name + "' has the wrong size");
    }
    return torch::from_blob(v.data(), like.sizes(), torch::kFloat64)
        .clone()
        .to(like.device(), like.scalar_type());
}

// Data parallelism must keep the ranks' parameters bit-identical. Each rank
// hashes its parameter bytes; the sums of the hash halves equal G times this
// rank's halves on every rank only when all ranks agree.
void check_replicas_identical(Communicator& comm, const std::vector<torch::Tensor>& params) {
    uint64_t h = 1469598103934665603ULL;
    for (auto& p : params) {
        auto c = p.detach().to(torch::kCPU).contiguous();
        auto* bytes = static_cast<const unsigned char*>(c.data_ptr());
        for (size_t i = 0; i < static_cast<size_t>(c.nbytes()); ++i) {
            h = (h ^ bytes[i]) * 1099511628211ULL;
        }
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

model::ModelConfig model_config_for(const TrainConfig& cfg, int64_t node_dim, int64_t static_dim) {
    model::ModelConfig mc = model::ModelConfig::preset(cfg.preset());
    for (auto& [k, v] : cfg.model) mc.set(k, v);
    mc.node_dim = static_cast<int>(node_dim);
    mc.static_dim = static_cast<int>(static_dim);
    mc.validate();
    return mc;
}

Trainer::Trainer(const TrainConfig& cfg, const StudyData& data, Communicator& comm,
                 std::string checkpoint_path)
    : cfg_(cfg),
      data_(data),
      comm_(comm),
      checkpoint_path_(std::move(checkpoint_path)),
      dtype_(cfg.dtype == "float64" ? torch::kFloat64 : torch::kFloat32),
      device_(cfg.device) {
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
    optimizer_ = std::make_unique<torch::optim::Adam>(parameters_of(model_),
                                                      torch::optim::AdamOptions(cfg_.lr));
}

double Trainer::validation_metric(const std::vector<double>& pred) const {
    std::vector<double> y;
    for (auto& s : data_.val) y.push_back(s.target);
    return cfg_.is_latency() ? jobs::mape(pred, y) : jobs::kendall_tau_b(pred, y);
}

bool Trainer::better(double a, double b) const {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return cfg_.is_latency() ? a < b : a > b;
}

std::vector<double> Trainer::predict(const std::vector<data::Sample>& samples) {
    std::vector<double> pred(samples.size(), 0.0);
    if (samples.empty()) return pred;
    model_->eval();
    torch::NoGradGuard guard;
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

TrainOutput Trainer::run(bool resume) {
    TrainOutput out;
    const auto sizes = node_counts(data_.train);
    const int64_t steps_per_epoch =
        static_cast<int64_t>(make_batches(sizes, cfg_.batch_size, 0).size());
    LrSchedule schedule(cfg_.lr, steps_per_epoch * cfg_.epochs, cfg_.warmup_fraction);
    auto params = parameters_of(model_);

    int64_t start_epoch = 0, start_step = 0;
    double loss_sum = 0, loss_count = 0;
    double best_metric = std::numeric_limits<double>::quiet_NaN();
    if (resume && !checkpoint_path_.empty() &&
        load_checkpoint(start_epoch, start_step, loss_sum, loss_count, out, best_metric)) {
        // The saved partial-epoch loss is the group's sum; count it once.
        if (comm_.rank() != 0) loss_sum = loss_count = 0;
        if (comm_.rank() == 0) {
            spdlog::info("resuming from {} at epoch {} step {}", checkpoint_path_, start_epoch + 1,
                         start_step);
        }
    }

    const bool leader = comm_.rank() == 0;
    const int G = comm_.size();
    const auto t_start = std::chrono::steady_clock::now();
    double graphs_trained = 0;
    model_->train();

    for (int64_t epoch = start_epoch; epoch < cfg_.epochs; ++epoch) {
        const auto t_epoch = std::chrono::steady_clock::now();
        auto batches = make_batches(sizes, cfg_.batch_size, mix_seed(cfg_.seed, 1000 + epoch));
        int64_t step = epoch == start_epoch ? start_step : 0;
        if (epoch != start_epoch) loss_sum = loss_count = 0;
        for (; step < static_cast<int64_t>(batches.size()); ++step) {
            // All ranks must agree to stop at the same step.
            double stop = stop_requested().load() ? 1.0 : 0.0;
            if (G > 1) {
                std::vector<double> v{stop};
                comm_.allreduce_sum(v);
                stop = v[0];
            }
            if (stop > 0) {
                std::vector<double> partial{loss_sum, loss_count};
                if (G > 1) comm_.allreduce_sum(partial);
                save_checkpoint(epoch, step, partial[0], partial[1], out, best_metric);
                out.interrupted = true;
                return out;
            }
            const int64_t global_step = epoch * steps_per_epoch + step;
            const auto& batch = batches[static_cast<size_t>(step)];
            const int64_t bg = static_cast<int64_t>(batch.size());
            const int64_t lo = bg * comm_.rank() / G, hi = bg * (comm_.rank() + 1) / G;

            // Pairs for the architecture-consistency loss in the whole global batch.
            int64_t pairs_global = 0;
            std::vector<const data::Graph*> graphs;
            std::vector<const data::Graph*> aug_graphs;
            std::vector<int64_t> with_aug;  // local positions of originals that have a partner
            std::vector<double> y;
            for (int64_t k = 0; k < bg; ++k) {
                const auto& s = data_.train[static_cast<size_t>(batch[static_cast<size_t>(k)])];
                const bool has_aug = cfg_.ac_weight > 0 && s.augmented.num_nodes > 0;
                pairs_global += has_aug;
                if (k < lo || k >= hi) continue;
                graphs.push_back(&s.graph);
                y.push_back(s.target / scale_);
                if (has_aug) {
                    aug_graphs.push_back(&s.augmented);
                    with_aug.push_back(k - lo);
                }
            }
            const int64_t n_local = hi - lo;
            const int64_t pairs_local = static_cast<int64_t>(with_aug.size());

            optimizer_->zero_grad();
            double loss_value = 0;
            if (n_local > 0) {
                torch::manual_seed(mix_seed(cfg_.seed, 2 * static_cast<uint64_t>(global_step)));
                std::vector<const data::Graph*> all = graphs;
                all.insert(all.end(), aug_graphs.begin(), aug_graphs.end());
                auto pred = model_->forward(collate(all, dtype_, device_));
                auto orig = pred.slice(0, 0, n_local);
                auto target = torch::tensor(y, torch::TensorOptions().dtype(torch::kFloat64))
                                  .to(device_, dtype_);
                // Each rank's loss is scaled by its share of the global batch, so the
                // summed gradients are the full-batch gradients.
                const double share = static_cast<double>(n_local) / static_cast<double>(bg);
                auto loss = model::relative_mse(orig, target) * share;
                if (cfg_.sr_weight > 0 && n_local > 1) {
                    std::mt19937_64 rng(
                        mix_seed(cfg_.seed, 2 * static_cast<uint64_t>(global_step) + 1));
                    std::vector<int64_t> perm(static_cast<size_t>(n_local));
                    std::iota(perm.begin(), perm.end(), 0);
                    for (size_t i = perm.size(); i > 1; --i) {
                        std::swap(perm[i - 1], perm[uniform_index(rng(), i)]);
                    }
                    auto perm_t = torch::tensor(perm, torch::kInt64).to(device_);
                    loss = loss + cfg_.sr_weight * share * model::sr_loss(orig, target, perm_t);
                }
                if (pairs_local > 0) {
                    // Augmented partners follow the originals, in the same order as
                    // the originals that have one.
                    auto idx = torch::tensor(with_aug, torch::kInt64).to(device_);
                    auto aug = pred.slice(0, n_local, n_local + pairs_local);
                    const double pair_share =
                        static_cast<double>(pairs_local) / static_cast<double>(pairs_global);
                    loss = loss + cfg_.ac_weight * pair_share *
                                      model::ac_loss(aug, orig.index_select(0, idx));
                }
                loss.backward();
                loss_value = loss.item<double>();
            }
            for (auto& p : params) {
                if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
            }
            if (G > 1) comm_.allreduce_gradients(params);
            if (!std::isfinite(loss_value)) {
                throw Error("non-finite training loss at epoch " + std::to_string(epoch + 1) +
                            " step " + std::to_string(step));
            }
            const double lr = schedule.at(global_step);
            for (auto& group : optimizer_->param_groups()) {
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            }
            optimizer_->step();
            loss_sum += loss_value;  // already a share of the batch mean
            loss_count += static_cast<double>(n_local) / static_cast<double>(bg);
            graphs_trained += static_cast<double>(bg);
        }

        std::vector<double> sums{loss_sum, loss_count};
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
        if (out.best_epoch < 0 || better(metric, best_metric)) {
            best_metric = metric;
            out.best_epoch = static_cast<int>(epoch);
            best_params_ = snapshot(params);
        }
        save_checkpoint(epoch + 1, 0, 0, 0, out, best_metric);
        if (on_epoch_) on_epoch_(static_cast<int>(epoch + 1));

        if (leader) {
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
            const double rate = static_cast<double>(data_.train.size()) / std::max(secs, 1e-9);
            const double eta = secs * static_cast<double>(cfg_.epochs - epoch - 1);
            spdlog::info(
                "epoch {:>4}/{} loss {:.5f} val {} {:.4f} (best {:.4f} @ {}) lr {:.2e} "
                "{:.0f} graphs/s ETA {:.0f}s",
                epoch + 1, cfg_.epochs, epoch_loss, cfg_.is_latency() ? "mape" : "tau", metric,
                best_metric, out.best_epoch + 1, out.lr.back(), rate, eta);
        }
    }

    if (G > 1) check_replicas_identical(comm_, params);
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    out.train_graphs_per_s = graphs_trained / std::max(total, 1e-9);
    if (!best_params_.empty()) restore(params, best_params_);
    out.test_pred = predict(data_.test);
    return out;
}

void Trainer::save_checkpoint(int64_t epoch, int64_t step_in_epoch, double loss_sum,
                              double loss_count, const TrainOutput& out, double best_metric) {
    if (checkpoint_path_.empty() || comm_.rank() != 0) return;
    const std::string tmp = checkpoint_path_ + ".tmp";
    {
        H5File f(tmp, H5File::Mode::Truncate);
        f.write_attr_string("/", "format", kCheckpointFormat);
        f.write_attr_string("/", "train_config", cfg_.to_text());
        f.write_attr_string("/", "model_config", model_cfg_.to_text());
        f.write_attr_i64("/", "epoch", epoch);
        f.write_attr_i64("/", "step_in_epoch", step_in_epoch);
        f.write_attr_f64("/", "loss_sum", loss_sum);
        f.write_attr_f64("/", "loss_count", loss_count);
        f.write_attr_i64("/", "best_epoch", out.best_epoch);
        f.write_attr_f64("/", "best_metric", best_metric);
        f.write_attr_i64("/", "epochs_done", out.epochs_done);
        auto named = model_->named_parameters();
        for (size_t i = 0; i < named.size(); ++i) {
            write_tensor(f, "params/" + named[i].key(), named[i].value());
            if (!best_params_.empty()) write_tensor(f, "best/" + named[i].key(), best_params_[i]);
        }
        auto n = static_cast<hsize_t>(out.train_loss.size());
        f.write_f64("history/train_loss", out.train_loss, {n});
        f.write_f64("history/val_metric", out.val_metric, {n});
        f.write_f64("history/lr", out.lr, {n});
        torch::serialize::OutputArchive archive;
        optimizer_->save(archive);
        std::ostringstream os;
        archive.save_to(os);
        f.write_bytes("optimizer", os.str());
    }
    if (std::rename(tmp.c_str(), checkpoint_path_.c_str()) != 0) {
        throw Error(checkpoint_path_ + ": cannot move the checkpoint into place");
    }
}

bool Trainer::load_checkpoint(int64_t& epoch, int64_t& step_in_epoch, double& loss_sum,
                              double& loss_count, TrainOutput& out, double& best_metric) {
    if (!std::filesystem::exists(checkpoint_path_)) return false;
    H5File f(checkpoint_path_, H5File::Mode::Read);
    if (!f.has_attr("/", "format") || f.read_attr_string("/", "format") != kCheckpointFormat) {
        throw Error(checkpoint_path_ + ": not a nar checkpoint");
    }
    if (f.read_attr_string("/", "train_config") != cfg_.to_text()) {
        throw Error(checkpoint_path_ +
                    ": the checkpoint was written for a different configuration; remove it "
                    "to start over");
    }
    epoch = f.read_attr_i64("/", "epoch");
    step_in_epoch = f.read_attr_i64("/", "step_in_epoch");
    loss_sum = f.read_attr_f64("/", "loss_sum");
    loss_count = f.read_attr_f64("/", "loss_count");
    out.best_epoch = static_cast<int>(f.read_attr_i64("/", "best_epoch"));
    best_metric = f.read_attr_f64("/", "best_metric");
    out.epochs_done = static_cast<int>(f.read_attr_i64("/", "epochs_done"));
    out.train_loss = f.read_f64("history/train_loss");
    out.val_metric = f.read_f64("history/val_metric");
    out.lr = f.read_f64("history/lr");
    torch::NoGradGuard guard;
    auto named = model_->named_parameters();
    best_params_.clear();
    for (size_t i = 0; i < named.size(); ++i) {
        named[i].value().copy_(read_tensor(f, "params/" + named[i].key(), named[i].value()));
        if (f.exists("best/" + named[i].key())) {
            best_params_.push_back(read_tensor(f, "best/" + named[i].key(), named[i].value()));
        }
    }
    std::istringstream is(f.read_bytes("optimizer"));
    torch::serialize::InputArchive archive;
    archive.load_from(is, device_);
    optimizer_->load(archive);
    return true;
}

}  // namespace nar::runner
