#include "runner/checkpoint.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/h5.h"

namespace nar::runner {

using common::Error;
using common::H5File;

namespace {

constexpr const char* kFormat = "nar-checkpoint-1";

void write_tensor(H5File& f, const std::string& name, const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    common::Shape shape;
    for (auto d : c.sizes()) shape.push_back(static_cast<hsize_t>(d));
    f.write_f64(name, std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel()),
                shape);
}

torch::Tensor read_tensor(const H5File& f, const std::string& name, const torch::Tensor& like) {
    auto v = f.read_f64(name);
    if (static_cast<int64_t>(v.size()) != like.numel()) {
        throw Error(f.path() + ": checkpoint tensor '" + name + "' has the wrong size");
    }
    return torch::from_blob(v.data(), like.sizes(), torch::kFloat64)
        .clone()
        .to(like.device(), like.scalar_type());
}

// Reads everything before touching the model, so a bad file changes nothing.
void read_all(const std::string& path, const std::string& config_identity, CheckpointState& s,
              torch::OrderedDict<std::string, torch::Tensor>& params,
              std::vector<torch::Tensor>& best, std::string& optimizer_bytes) {
    H5File f(path, H5File::Mode::Read);
    if (!f.has_attr("/", "format") || f.read_attr_string("/", "format") != kFormat) {
        throw Error(path + ": not a nar checkpoint");
    }
    if (f.read_attr_string("/", "config_identity") != config_identity) {
        throw std::logic_error("config");  // handled by the caller: not a corrupt file
    }
    s.epoch = f.read_attr_i64("/", "epoch");
    s.step_in_epoch = f.read_attr_i64("/", "step_in_epoch");
    s.loss_sum = f.read_attr_f64("/", "loss_sum");
    s.loss_count = f.read_attr_f64("/", "loss_count");
    s.best_epoch = static_cast<int>(f.read_attr_i64("/", "best_epoch"));
    s.best_metric = f.read_attr_f64("/", "best_metric");
    s.epochs_done = static_cast<int>(f.read_attr_i64("/", "epochs_done"));
    s.train_loss = f.read_f64("history/train_loss");
    s.val_metric = f.read_f64("history/val_metric");
    s.lr = f.read_f64("history/lr");
    torch::NoGradGuard guard;
    best.clear();
    for (auto& kv : params) {
        const torch::Tensor like = kv.value();
        kv.value() = read_tensor(f, "params/" + kv.key(), like);
        if (f.exists("best/" + kv.key())) best.push_back(read_tensor(f, "best/" + kv.key(), like));
    }
    optimizer_bytes = f.read_bytes("optimizer");
}

}  // namespace

void save_checkpoint(const std::string& path, const std::string& config_identity,
                     const std::string& model_config, const CheckpointState& s,
                     const torch::OrderedDict<std::string, torch::Tensor>& params,
                     const std::vector<torch::Tensor>& best, torch::optim::Optimizer& optimizer) {
    common::write_atomically(path, [&](const std::string& tmp) {
        H5File f(tmp, H5File::Mode::Truncate);
        f.write_attr_string("/", "format", kFormat);
        f.write_attr_string("/", "config_identity", config_identity);
        f.write_attr_string("/", "model_config", model_config);
        f.write_attr_i64("/", "epoch", s.epoch);
        f.write_attr_i64("/", "step_in_epoch", s.step_in_epoch);
        f.write_attr_f64("/", "loss_sum", s.loss_sum);
        f.write_attr_f64("/", "loss_count", s.loss_count);
        f.write_attr_i64("/", "best_epoch", s.best_epoch);
        f.write_attr_f64("/", "best_metric", s.best_metric);
        f.write_attr_i64("/", "epochs_done", s.epochs_done);
        size_t i = 0;
        for (const auto& kv : params) {
            write_tensor(f, "params/" + kv.key(), kv.value());
            if (!best.empty()) write_tensor(f, "best/" + kv.key(), best[i]);
            ++i;
        }
        auto n = static_cast<hsize_t>(s.train_loss.size());
        f.write_f64("history/train_loss", s.train_loss, {n});
        f.write_f64("history/val_metric", s.val_metric, {n});
        f.write_f64("history/lr", s.lr, {n});
        torch::serialize::OutputArchive archive;
        optimizer.save(archive);
        std::ostringstream os;
        archive.save_to(os);
        f.write_bytes("optimizer", os.str());
        f.close();
    });
}

bool load_checkpoint(const std::string& path, const std::string& config_identity,
                     CheckpointState& state, torch::OrderedDict<std::string, torch::Tensor>& params,
                     std::vector<torch::Tensor>& best, torch::optim::Optimizer& optimizer,
                     const torch::Device& device) {
    if (!std::filesystem::exists(path)) return false;
    CheckpointState s;
    torch::OrderedDict<std::string, torch::Tensor> values = params;
    std::vector<torch::Tensor> best_values;
    std::string optimizer_bytes;
    try {
        read_all(path, config_identity, s, values, best_values, optimizer_bytes);
        std::istringstream is(optimizer_bytes);
        torch::serialize::InputArchive archive;
        archive.load_from(is, device);
        optimizer.load(archive);
    } catch (const std::logic_error&) {
        throw Error(path +
                    ": the checkpoint was written for a different configuration; remove it to "
                    "start over");
    } catch (const std::exception& e) {
        spdlog::warn("discarding the unreadable checkpoint {} ({}); the job starts over", path,
                     e.what());
        std::filesystem::remove(path);
        return false;
    }
    torch::NoGradGuard guard;
    for (auto& kv : params) kv.value().copy_(values[kv.key()]);
    best = std::move(best_values);
    state = s;
    return true;
}

}  // namespace nar::runner
