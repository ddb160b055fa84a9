#include "runner/train_config.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "common/error.h"

namespace nar::runner {

using common::Error;

namespace {

const std::set<std::string> kStudies = {"nnlqp-in-domain", "nnlqp-unseen", "nb101-accuracy",
                                        "nb201-accuracy", "nb201-latency"};
const std::set<std::string> kModelKeys = {"structure", "attention", "ta_enhance", "ffn",
                                          "hidden",    "layers",    "fc_hidden",  "dropout"};

double to_double(const std::string& key, const std::string& v) {
    try {
        size_t used = 0;
        double d = std::stod(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
        return d;
    } catch (const std::exception&) {
        throw Error("parameter " + key + "=" + v + ": not a number");
    }
}

int64_t to_int(const std::string& key, const std::string& v) {
    try {
        size_t used = 0;
        long long i = std::stoll(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
        return i;
    } catch (const std::exception&) {
        throw Error("parameter " + key + "=" + v + ": not an integer");
    }
}

std::string one_of(const std::string& key, const std::string& v,
                   const std::vector<std::string>& allowed) {
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    std::string list;
    for (auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw Error("parameter " + key + "=" + v + ": must be one of " + list);
}

// Table 5 rows as model/encoding settings (protocol.md).
void apply_variant(TrainConfig& c, const std::string& row) {
    if (row.empty()) return;
    if (row == "row1") {
        c.model["structure"] = "gnn";
        c.encoding = "raw";
    } else if (row == "row2") {
        c.model["structure"] = "gnn";
        c.encoding = "op_pe";
    } else if (row == "row3") {
        c.model["structure"] = "gnn";
        c.encoding = "pe";
    } else if (row == "row4") {
        c.model["ffn"] = "dense";
        c.model["ta_enhance"] = "false";
    } else if (row == "row5") {
        c.model["ffn"] = "grouped";
        c.model["ta_enhance"] = "false";
    } else if (row == "row6") {
        c.model["ffn"] = "grouped";
        c.model["ta_enhance"] = "true";
    } else {
        throw Error("parameter variant=" + row + ": must be one of row1..row6 (Table 5 rows)");
    }
}

}  // namespace

bool TrainConfig::is_latency() const {
    return study.rfind("nnlqp", 0) == 0 || study == "nb201-latency";
}
bool TrainConfig::cell_study() const { return study.rfind("nb", 0) == 0; }
std::string TrainConfig::preset() const { return cell_study() ? "accuracy" : "latency"; }

const std::vector<std::string>& train_config_keys() {
    static const std::vector<std::string> keys = {"study",
                                                  "data_root",
                                                  "holdout",
                                                  "platform",
                                                  "target",
                                                  "encoding",
                                                  "test",
                                                  "fraction",
                                                  "train_count",
                                                  "val_count",
                                                  "val_fraction",
                                                  "split_seed",
                                                  "variant",
                                                  "structure",
                                                  "attention",
                                                  "ta_enhance",
                                                  "ffn",
                                                  "hidden",
                                                  "layers",
                                                  "fc_hidden",
                                                  "dropout",
                                                  "epochs",
                                                  "batch_size",
                                                  "lr",
                                                  "warmup_fraction",
                                                  "sr_weight",
                                                  "ac_weight",
                                                  "dtype",
                                                  "device",
                                                  "threads",
                                                  "seed",
                                                  "eval_batch_size",
                                                  "target_scale"};
    return keys;
}

TrainConfig resolve_train_config(const std::map<std::string, std::string>& params) {
    const auto& keys = train_config_keys();
    for (auto& [k, v] : params) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
            throw Error("unknown parameter '" + k + "'");
        }
    }
    auto get = [&](const std::string& k) -> const std::string* {
        auto it = params.find(k);
        return it == params.end() ? nullptr : &it->second;
    };

    TrainConfig c;
    if (!get("study")) throw Error("parameter 'study' is required");
    c.study = *get("study");
    if (!kStudies.count(c.study)) {
        throw Error("parameter study=" + c.study +
                    ": must be one of nnlqp-in-domain, nnlqp-unseen, nb101-accuracy, "
                    "nb201-accuracy, nb201-latency");
    }

    // Paper defaults (model.md §7). nb201-latency is our cell-latency task: the
    // accuracy architecture (cells carry no static features), the latency loss.
    if (c.study.rfind("nnlqp", 0) == 0) {
        c.epochs = 50, c.batch_size = 16, c.lr = 1e-3, c.encoding = "pe";
    } else if (c.study == "nb201-latency") {
        c.epochs = 200, c.batch_size = 8, c.lr = 1e-3, c.encoding = "pe";
        c.target = "latency:titan_rtx_1";
        c.target_scale = "mean";
        c.fraction = 0.05;
    } else {
        c.epochs = 1000, c.batch_size = 8, c.lr = 1e-4, c.encoding = "pe";
        c.sr_weight = 0.1, c.ac_weight = 0.5;
        c.target = c.study == "nb201-accuracy" ? "accuracy:cifar10" : "accuracy:validation";
        c.fraction = c.study == "nb201-accuracy" ? 0.10 : 0.001;
    }

    if (auto v = get("variant")) {
        c.variant = *v;
        apply_variant(c, c.variant);
    }
    for (auto& k : kModelKeys) {
        if (auto v = get(k)) c.model[k] = *v;
    }

    if (auto v = get("data_root")) c.data_root = *v;
    if (auto v = get("holdout")) c.holdout = *v;
    if (auto v = get("platform")) c.platform = *v;
    if (auto v = get("target")) c.target = *v;
    if (auto v = get("encoding")) c.encoding = *v;
    if (auto v = get("test")) c.test_mode = one_of("test", *v, {"whole", "rest"});
    if (auto v = get("fraction")) c.fraction = to_double("fraction", *v);
    if (auto v = get("train_count")) {
        c.train_count = to_int("train_count", *v);
        if (!get("fraction")) c.fraction = 0.0;
    }
    if (auto v = get("val_count")) c.val_count = to_int("val_count", *v);
    if (auto v = get("val_fraction")) c.val_fraction = to_double("val_fraction", *v);
    if (auto v = get("split_seed")) c.split_seed = static_cast<uint64_t>(to_int("split_seed", *v));
    if (auto v = get("epochs")) c.epochs = to_int("epochs", *v);
    if (auto v = get("batch_size")) c.batch_size = to_int("batch_size", *v);
    if (auto v = get("lr")) c.lr = to_double("lr", *v);
    if (auto v = get("warmup_fraction")) c.warmup_fraction = to_double("warmup_fraction", *v);
    if (auto v = get("sr_weight")) c.sr_weight = to_double("sr_weight", *v);
    if (auto v = get("ac_weight")) c.ac_weight = to_double("ac_weight", *v);
    if (auto v = get("dtype")) c.dtype = one_of("dtype", *v, {"float32", "float64"});
    if (auto v = get("device")) c.device = *v;
    if (auto v = get("threads")) c.threads = static_cast<int>(to_int("threads", *v));
    if (auto v = get("seed")) c.seed = static_cast<uint64_t>(to_int("seed", *v));
    if (auto v = get("eval_batch_size")) c.eval_batch_size = to_int("eval_batch_size", *v);
    if (auto v = get("target_scale")) c.target_scale = one_of("target_scale", *v, {"none", "mean"});

    if (c.study == "nnlqp-unseen" && c.holdout.empty()) {
        throw Error("study nnlqp-unseen needs holdout=FAMILY");
    }
    if (c.study.rfind("nnlqp", 0) == 0 && c.data_root.empty()) {
        throw Error("study " + c.study +
                    " needs data_root=DIR (an NNLQP root with gt.txt or gt_stage.txt and the "
                    "ONNX files)");
    }
    if (c.cell_study()) {
        one_of("encoding", c.encoding, {"pe", "onehot"});
    } else {
        one_of("encoding", c.encoding, {"pe", "raw", "op_pe"});
    }
    if (c.epochs < 1) throw Error("parameter epochs must be >= 1");
    if (c.batch_size < 1) throw Error("parameter batch_size must be >= 1");
    if (!(c.lr > 0)) throw Error("parameter lr must be > 0");
    if (c.warmup_fraction < 0 || c.warmup_fraction >= 1) {
        throw Error("parameter warmup_fraction must be in [0, 1)");
    }
    if (c.cell_study() && c.fraction <= 0 && c.train_count <= 0) {
        throw Error("study " + c.study + " needs fraction=F or train_count=N");
    }
    if (c.eval_batch_size < 1) throw Error("parameter eval_batch_size must be >= 1");
    return c;
}

std::string TrainConfig::to_text() const {
    std::map<std::string, std::string> kv = {
        {"study", study},
        {"data_root", data_root},
        {"holdout", holdout},
        {"platform", platform},
        {"target", target},
        {"encoding", encoding},
        {"test", test_mode},
        {"fraction", std::to_string(fraction)},
        {"train_count", std::to_string(train_count)},
        {"val_count", std::to_string(val_count)},
        {"val_fraction", std::to_string(val_fraction)},
        {"split_seed", std::to_string(split_seed)},
        {"variant", variant},
        {"epochs", std::to_string(epochs)},
        {"batch_size", std::to_string(batch_size)},
        {"warmup_fraction", std::to_string(warmup_fraction)},
        {"sr_weight", std::to_string(sr_weight)},
        {"ac_weight", std::to_string(ac_weight)},
        {"dtype", dtype},
        {"device", device},
        {"threads", std::to_string(threads)},
        {"seed", std::to_string(seed)},
        {"eval_batch_size", std::to_string(eval_batch_size)},
        {"target_scale", target_scale},
    };
    std::ostringstream lr_s;
    lr_s.precision(17);
    lr_s << lr;
    kv["lr"] = lr_s.str();
    for (auto& [k, v] : model) kv["model." + k] = v;
    std::string out;
    for (auto& [k, v] : kv) out += k + "=" + v + "\n";
    return out;
}

}  // namespace nar::runner
