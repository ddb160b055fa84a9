#include "model/model_io.h"

#include <cstdio>
#include <set>
#include <vector>

#include "common/error.h"

namespace nar::model {

using common::Error;

namespace {

std::string shape_text(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
    return r + "]";
}

// Reads one dataset into `param` (shape checked), converting dtype/device.
void assign(torch::Tensor& param, const common::H5File& f, const std::string& dataset,
            const std::string& ours) {
    common::Shape shape;
    std::vector<double> v = f.read_f64(dataset, &shape);
    std::vector<int64_t> s(shape.begin(), shape.end());
    const auto want = param.sizes().vec();
    if (s != want) {
        throw Error(f.path() + ": " + dataset + " has shape " + shape_text(s) + ", parameter " +
                    ours + " needs " + shape_text(want));
    }
    auto t = torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kFloat64)
                 .view(want)
                 .to(param.device(), param.scalar_type());
    // A corrupt file must not load as a model that predicts garbage.
    if (!torch::isfinite(t).all().item<bool>())
        throw Error(f.path() + ": " + dataset + " holds non-finite values (corrupt model file)");
    torch::NoGradGuard no_grad;
    param.copy_(t);
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

}  // namespace

void save_model(const std::string& path, const ModelConfig& config, Predictor& model) {
    const std::string tmp = path + ".tmp";
    bool f64 = false;
    {
        common::H5File f(tmp, common::H5File::Mode::Truncate);
        f.create_group("params");
        for (const auto& kv : model->named_parameters(true)) {
            const auto t = kv.value().detach().to(torch::kCPU).contiguous();
            common::Shape shape(t.sizes().begin(), t.sizes().end());
            const std::string name = "params/" + kv.key();
            if (t.scalar_type() == torch::kFloat64) {
                f64 = true;
                f.write_f64(
                    name,
                    std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel()),
                    shape);
            } else {
                const auto tf = t.to(torch::kFloat32);
                f.write_f32(
                    name,
                    std::vector<float>(tf.data_ptr<float>(), tf.data_ptr<float>() + tf.numel()),
                    shape);
            }
        }
        f.write_attr_string("/", "format", kModelFormat);
        f.write_attr_string("/", "config", config.to_text());
        f.write_attr_string("/", "dtype", f64 ? "float64" : "float32");
        f.flush();
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        throw Error(path + ": cannot rename " + tmp + " into place");
    }
}

std::pair<ModelConfig, Predictor> load_model(const std::string& path) {
    common::H5File f(path, common::H5File::Mode::Read);
    if (!f.has_attr("/", "format") || f.read_attr_string("/", "format") != kModelFormat) {
        throw Error(path + ": not a nar model file (no format=\"" + std::string(kModelFormat) +
                    "\" attribute)");
    }
    if (!f.has_attr("/", "config")) throw Error(path + ": model file has no config attribute");
    ModelConfig config;
    try {
        config = ModelConfig::from_text(f.read_attr_string("/", "config"));
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    Predictor model(config);
    if (f.has_attr("/", "dtype") && f.read_attr_string("/", "dtype") == "float64") {
        model->to(torch::kFloat64);
    }
    std::set<std::string> known;
    for (auto& kv : model->named_parameters(true)) {
        const std::string ds = "params/" + kv.key();
        if (!f.exists(ds)) throw Error(path + ": missing parameter " + kv.key());
        assign(kv.value(), f, ds, kv.key());
        known.insert(kv.key());
    }
    for (const auto& name : f.children("params")) {
        if (!known.count(name)) {
            throw Error(path + ": parameter " + name + " does not belong to this model config");
        }
    }
    return {config, model};
}

std::string reference_to_ours(const std::string& r) {
    auto fail = [&]() -> std::string {
        throw Error("unknown reference parameter name '" + r + "'");
    };
    // "<prefix>.<l>.<rest>" -> l, rest
    auto split_layer = [&](const std::string& prefix, std::string& l, std::string& rest) {
        if (!starts_with(r, prefix)) return false;
        const size_t dot = r.find('.', prefix.size());
        l = r.substr(prefix.size(),
                     dot == std::string::npos ? std::string::npos : dot - prefix.size());
        if (l.empty() || l.find_first_not_of("0123456789") != std::string::npos) fail();
        rest = dot == std::string::npos ? "" : r.substr(dot + 1);
        return true;
    };
    std::string l, rest;
    if (split_layer("gnn_layers.", l, rest)) {
        static const std::pair<const char*, const char*> sub[] = {
            {"lin_qk.", "qk."}, {"lin_l.", "agg."}, {"lin_r.", "root."}, {"lin_d.", "deg."}};
        for (const auto& [from, to] : sub) {
            if (starts_with(rest, from)) {
                return "blocks." + l + ".attn." + to + rest.substr(std::string(from).size());
            }
        }
        return fail();
    }
    if (split_layer("FFN_layers.", l, rest)) {
        if (starts_with(rest, "norm.")) return "blocks." + l + "." + rest;
        for (const auto& [idx, part] : {std::pair<std::string, std::string>{"0", "up"},
                                        std::pair<std::string, std::string>{"3", "down"}}) {
            const std::string p = "fn.net." + idx + ".";
            if (!starts_with(rest, p)) continue;
            const std::string tail = rest.substr(p.size());
            const std::string base = "blocks." + l + ".ffn." + part + ".";
            if (tail == "weights") return base + "weight";
            if (tail == "weight" || tail == "bias") return base + tail;  // dense variant
            if (starts_with(tail, "normalization_fn.")) {
                return base + "norm." + tail.substr(std::string("normalization_fn.").size());
            }
        }
        return fail();
    }
    if (split_layer("layer_scale.", l, rest)) {
        if (!rest.empty()) fail();
        return "blocks." + l + ".gamma";
    }
    static const std::pair<const char*, const char*> head[] = {
        {"norm_sf_linear.", "head.static_proj."},
        {"fusion_mlp.0.", "head.fusion_hidden."},
        {"fusion_mlp.2.", "head.fusion_out."},
        {"fc_1.", "head.mlp.fc1."},
        {"fc_2.", "head.mlp.fc2."},
        {"predictor.", "head.mlp.out."}};
    for (const auto& [from, to] : head) {
        if (starts_with(r, from)) return to + r.substr(std::string(from).size());
    }
    return fail();
}

void load_reference_state(Predictor& model, const common::H5File& file, const std::string& group) {
    auto params = model->named_parameters(true);
    std::set<std::string> done;
    for (const auto& ref : file.children(group)) {
        const std::string ours = reference_to_ours(ref);
        auto* p = params.find(ours);
        if (!p) {
            throw Error(file.path() + ": reference parameter " + ref + " (ours: " + ours +
                        ") does not exist in this model config");
        }
        assign(*p, file, group + "/" + ref, ours);
        done.insert(ours);
    }
    for (const auto& kv : params) {
        if (!done.count(kv.key())) {
            throw Error(file.path() + ": no reference value for parameter " + kv.key());
        }
    }
}

}  // namespace nar::model
