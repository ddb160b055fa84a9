#include "runner/onnx_executor.h"

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>

#include "common/error.h"
#include "data/onnx_model.h"

namespace nar::runner {

using nar::common::Error;

namespace {

using Attrs = std::map<std::string, const onnx::AttributeProto*>;

std::vector<int64_t> ints(const Attrs& a, const std::string& k, std::vector<int64_t> dflt) {
    auto it = a.find(k);
    if (it == a.end()) return dflt;
    return {it->second->ints().begin(), it->second->ints().end()};
}
int64_t int_attr(const Attrs& a, const std::string& k, int64_t dflt) {
    auto it = a.find(k);
    return it == a.end() ? dflt : it->second->i();
}
float float_attr(const Attrs& a, const std::string& k, float dflt) {
    auto it = a.find(k);
    return it == a.end() ? dflt : it->second->f();
}

// A TensorProto that carries data (Constant values, unstripped initializers), or an
// undefined tensor when it has none.
torch::Tensor tensor_data(const onnx::TensorProto& t, const std::string& where) {
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    if (t.data_type() == onnx::TensorProto::FLOAT) {
        torch::Tensor out = torch::empty(dims, torch::kFloat32);
        if (t.float_data_size() == n) {
            std::memcpy(out.data_ptr<float>(), t.float_data().data(), sizeof(float) * n);
            return out;
        }
        if (t.raw_data().size() == sizeof(float) * static_cast<size_t>(n) && n > 0) {
            std::memcpy(out.data_ptr<float>(), t.raw_data().data(), sizeof(float) * n);
            return out;
        }
        return {};
    }
    if (t.data_type() == onnx::TensorProto::INT64) {
        torch::Tensor out = torch::empty(dims, torch::kInt64);
        if (t.int64_data_size() == n) {
            std::memcpy(out.data_ptr<int64_t>(), t.int64_data().data(), sizeof(int64_t) * n);
            return out;
        }
        if (t.raw_data().size() == sizeof(int64_t) * static_cast<size_t>(n) && n > 0) {
            std::memcpy(out.data_ptr<int64_t>(), t.raw_data().data(), sizeof(int64_t) * n);
            return out;
        }
        return {};
    }
    throw Error(where + ": tensor '" + t.name() + "' has data type " +
                std::to_string(t.data_type()) + " (the executor reads float and int64)");
}

}  // namespace

std::vector<std::string> OnnxExecutor::supported_ops() {
    return {"Add",         "AveragePool", "BatchNormalization",
            "Clip",        "Concat",      "Constant",
            "Conv",        "Div",         "Dropout",
            "Flatten",     "Gemm",        "GlobalAveragePool",
            "HardSigmoid", "HardSwish",   "Identity",
            "MatMul",      "MaxPool",     "Mul",
            "Pad",         "ReduceMean",  "Relu",
            "Reshape",     "Sigmoid",     "Softmax",
            "Split",       "Sub",         "Tanh",
            "Transpose"};
}

OnnxExecutor OnnxExecutor::from_file(const std::string& path, int64_t batch, torch::Device device,
                                     uint64_t seed) {
    const auto im = data::load_onnx_model(data::read_file_bytes(path), path, batch);
    return OnnxExecutor(im.model, path, device, seed);
}

OnnxExecutor::OnnxExecutor(const onnx::ModelProto& model, const std::string& label,
                           torch::Device device, uint64_t seed)
    : device_(device) {
    const auto& g = model.graph();
    std::unordered_map<std::string, int> slot;
    auto slot_of = [&](const std::string& name) {
        auto it = slot.find(name);
        if (it != slot.end()) return it->second;
        const int s = static_cast<int>(slot_names_.size());
        slot.emplace(name, s);
        slot_names_.push_back(name);
        initial_.emplace_back();
        return s;
    };
    // Static values (shape/pad/clip inputs) must be known at build time.
    std::unordered_map<std::string, torch::Tensor> constants;
    // How each initializer is used decides its random fill.
    std::unordered_map<std::string, std::pair<std::string, int>> use;
    for (const auto& n : g.node())
        for (int i = 0; i < n.input_size(); ++i)
            use.emplace(n.input(i), std::make_pair(n.op_type(), i));

    torch::Generator gen = at::detail::createCPUGenerator(seed);
    for (const auto& t : g.initializer()) {
        torch::Tensor v = tensor_data(t, label);
        if (v.defined()) {
            constants[t.name()] = v;
        } else {
            std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
            const auto u = use.count(t.name()) ? use[t.name()] : std::make_pair(std::string(), 0);
            if (u.first == "BatchNormalization") {
                v = (u.second == 1 || u.second == 4) ? torch::ones(dims) : torch::zeros(dims);
            } else if (dims.size() <= 1) {
                v = torch::zeros(dims);
            } else {
                // He-scaled, so activations stay finite (and denormal-free) through depth.
                int64_t fan_in = 1;
                for (size_t i = 1; i < dims.size(); ++i) fan_in *= dims[i];
                v = torch::randn(dims, gen, torch::TensorOptions().dtype(torch::kFloat32)) *
                    std::sqrt(2.0 / static_cast<double>(std::max<int64_t>(1, fan_in)));
            }
        }
        initial_[static_cast<size_t>(slot_of(t.name()))] = v.to(device_);
    }
    if (g.input_size() < 1) throw Error(label + ": the graph has no input");
    for (const auto& in : g.input()) {
        if (slot.count(in.name())) continue;  // an initializer listed as input
        if (input_slot_ >= 0) throw Error(label + ": the executor runs single-input graphs");
        input_slot_ = slot_of(in.name());
        for (const auto& d : in.type().tensor_type().shape().dim())
            input_shape_.push_back(d.dim_value());
    }
    if (input_slot_ < 0) throw Error(label + ": the graph has no non-initializer input");

    const auto supported = supported_ops();
    for (const auto& n : g.node()) {
        const std::string where = label + ": node '" + n.name() + "' (" + n.op_type() + ")";
        const std::string& op = n.op_type();
        Attrs a;
        for (const auto& at : n.attribute()) a[at.name()] = &at;
        std::vector<int> in;
        for (const auto& i : n.input()) in.push_back(i.empty() ? -1 : slot_of(i));
        std::vector<int> out;
        for (const auto& o : n.output()) out.push_back(slot_of(o));
        auto need = [&](int k) {
            if (static_cast<int>(in.size()) <= k || in[static_cast<size_t>(k)] < 0)
                throw Error(where + ": missing input " + std::to_string(k));
            return in[static_cast<size_t>(k)];
        };
        auto static_input = [&](int k) -> std::optional<torch::Tensor> {
            if (static_cast<int>(in.size()) <= k || in[static_cast<size_t>(k)] < 0)
                return std::nullopt;
            auto it = constants.find(n.input(k));
            if (it == constants.end())
                throw Error(where + ": input '" + n.input(k) + "' must be a constant");
            return it->second;
        };
        const int x = in.empty() ? -1 : in[0];
        const int y = out.empty() ? -1 : out[0];
        std::function<void(Slots&)> fn;
        if (op == "Constant") {
            auto it = a.find("value");
            if (it == a.end()) throw Error(where + ": Constant without a 'value' tensor");
            torch::Tensor v = tensor_data(it->second->t(), where);
            if (!v.defined()) throw Error(where + ": Constant carries no data");
            constants[n.output(0)] = v;
            initial_[static_cast<size_t>(y)] = v.to(device_);
            continue;
        } else if (op == "Conv") {
            const int w = need(1), b = in.size() > 2 ? in[2] : -1;
            auto pads = ints(a, "pads", {0, 0, 0, 0});
            const auto strides = ints(a, "strides", {1, 1}), dil = ints(a, "dilations", {1, 1});
            const int64_t group = int_attr(a, "group", 1);
            if (pads.size() != 4) throw Error(where + ": only 2-D convolutions are supported");
            const bool sym = pads[0] == pads[2] && pads[1] == pads[3];
            fn = [=](Slots& s) {
                torch::Tensor t = s[x];
                std::vector<int64_t> p{pads[0], pads[1]};
                if (!sym) {
                    t = torch::constant_pad_nd(t, {pads[1], pads[3], pads[0], pads[2]}, 0);
                    p = {0, 0};
                }
                s[y] =
                    torch::conv2d(t, s[w], b >= 0 ? s[b] : torch::Tensor(), strides, p, dil, group);
            };
        } else if (op == "BatchNormalization") {
            const int sc = need(1), bi = need(2), mu = need(3), var = need(4);
            const double eps = float_attr(a, "epsilon", 1e-5f);
            fn = [=](Slots& s) {
                s[y] = torch::batch_norm(s[x], s[sc], s[bi], s[mu], s[var], false, 0.0, eps, true);
            };
        } else if (op == "Relu") {
            fn = [=](Slots& s) { s[y] = torch::relu(s[x]); };
        } else if (op == "Sigmoid") {
            fn = [=](Slots& s) { s[y] = torch::sigmoid(s[x]); };
        } else if (op == "Tanh") {
            fn = [=](Slots& s) { s[y] = torch::tanh(s[x]); };
        } else if (op == "HardSwish") {
            fn = [=](Slots& s) { s[y] = torch::hardswish(s[x]); };
        } else if (op == "HardSigmoid") {
            const double alpha = float_attr(a, "alpha", 0.2f), beta = float_attr(a, "beta", 0.5f);
            if (std::abs(alpha - 1.0 / 6) < 1e-6 && std::abs(beta - 0.5) < 1e-6)
                fn = [=](Slots& s) { s[y] = torch::hardsigmoid(s[x]); };
            else
                fn = [=](Slots& s) { s[y] = torch::clamp(s[x] * alpha + beta, 0.0, 1.0); };
        } else if (op == "Clip") {
            std::optional<double> lo, hi;
            if (auto t = static_input(1)) lo = t->item<double>();
            if (auto t = static_input(2)) hi = t->item<double>();
            if (a.count("min")) lo = float_attr(a, "min", 0);
            if (a.count("max")) hi = float_attr(a, "max", 0);
            const c10::optional<c10::Scalar> l = lo ? c10::optional<c10::Scalar>(*lo)
                                                    : c10::nullopt,
                                             h = hi ? c10::optional<c10::Scalar>(*hi)
                                                    : c10::nullopt;
            fn = [=](Slots& s) { s[y] = torch::clamp(s[x], l, h); };
        } else if (op == "Add" || op == "Mul" || op == "Sub" || op == "Div") {
            const int b = need(1);
            const char c = op[0];
            fn = [=](Slots& s) {
                s[y] = c == 'A'   ? s[x] + s[b]
                       : c == 'M' ? s[x] * s[b]
                       : c == 'S' ? s[x] - s[b]
                                  : s[x] / s[b];
            };
        } else if (op == "MatMul") {
            const int b = need(1);
            fn = [=](Slots& s) { s[y] = torch::matmul(s[x], s[b]); };
        } else if (op == "Gemm") {
            const int b = need(1), c = in.size() > 2 ? in[2] : -1;
            const bool ta = int_attr(a, "transA", 0) != 0, tb = int_attr(a, "transB", 0) != 0;
            const double alpha = float_attr(a, "alpha", 1.f), beta = float_attr(a, "beta", 1.f);
            fn = [=](Slots& s) {
                const torch::Tensor A = ta ? s[x].t() : s[x], B = tb ? s[b].t() : s[b];
                s[y] = c >= 0 ? torch::addmm(s[c], A, B, beta, alpha) : torch::mm(A, B) * alpha;
            };
        } else if (op == "Concat") {
            const int64_t axis = int_attr(a, "axis", 1);
            fn = [=](Slots& s) {
                std::vector<torch::Tensor> ts;
                for (int i : in) ts.push_back(s[i]);
                s[y] = torch::cat(ts, axis);
            };
        } else if (op == "Split") {
            const int64_t axis = int_attr(a, "axis", 0);
            const auto sizes = ints(a, "split", {});
            fn = [=](Slots& s) {
                std::vector<int64_t> sz = sizes;
                if (sz.empty())
                    sz.assign(out.size(), s[x].size(axis) / static_cast<int64_t>(out.size()));
                auto parts = torch::split_with_sizes(s[x], sz, axis);
                for (size_t i = 0; i < out.size(); ++i) s[out[i]] = parts[i];
            };
        } else if (op == "MaxPool" || op == "AveragePool") {
            const auto k = ints(a, "kernel_shape", {}), st = ints(a, "strides", {1, 1});
            const auto pads = ints(a, "pads", {0, 0, 0, 0});
            const bool ceil = int_attr(a, "ceil_mode", 0) != 0;
            const bool incl = int_attr(a, "count_include_pad", 0) != 0;
            if (k.size() != 2 || pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3])
                throw Error(where + ": only 2-D pooling with symmetric pads is supported");
            const std::vector<int64_t> p{pads[0], pads[1]};
            if (op == "MaxPool")
                fn = [=](Slots& s) { s[y] = torch::max_pool2d(s[x], k, st, p, {1, 1}, ceil); };
            else
                fn = [=](Slots& s) { s[y] = torch::avg_pool2d(s[x], k, st, p, ceil, incl); };
        } else if (op == "GlobalAveragePool") {
            fn = [=](Slots& s) { s[y] = torch::adaptive_avg_pool2d(s[x], {1, 1}); };
        } else if (op == "ReduceMean") {
            const auto axes = ints(a, "axes", {});
            const bool keep = int_attr(a, "keepdims", 1) != 0;
            fn = [=](Slots& s) { s[y] = torch::mean(s[x], axes, keep); };
        } else if (op == "Flatten") {
            const int64_t axis = int_attr(a, "axis", 1);
            fn = [=](Slots& s) {
                const auto& t = s[x];
                int64_t lead = 1;
                for (int64_t i = 0; i < axis; ++i) lead *= t.size(i);
                s[y] = t.reshape({lead, -1});
            };
        } else if (op == "Reshape") {
            const auto shape_t = static_input(1);
            if (!shape_t) throw Error(where + ": missing the shape input");
            const torch::Tensor st = shape_t->to(torch::kInt64).contiguous();
            std::vector<int64_t> shape(st.data_ptr<int64_t>(), st.data_ptr<int64_t>() + st.numel());
            fn = [=](Slots& s) {
                std::vector<int64_t> sh = shape;
                for (size_t i = 0; i < sh.size(); ++i)
                    if (sh[i] == 0) sh[i] = s[x].size(static_cast<int64_t>(i));
                s[y] = s[x].reshape(sh);
            };
        } else if (op == "Transpose") {
            const auto perm = ints(a, "perm", {});
            fn = [=](Slots& s) {
                std::vector<int64_t> p = perm;
                if (p.empty())
                    for (int64_t i = s[x].dim() - 1; i >= 0; --i) p.push_back(i);
                s[y] = s[x].permute(p).contiguous();
            };
        } else if (op == "Softmax") {
            const int64_t axis = int_attr(a, "axis", 1);
            fn = [=](Slots& s) { s[y] = torch::softmax(s[x], axis); };
        } else if (op == "Pad") {
            std::vector<int64_t> pads = ints(a, "pads", {});
            if (auto t = static_input(1)) {
                const torch::Tensor pt = t->to(torch::kInt64).contiguous();
                pads.assign(pt.data_ptr<int64_t>(), pt.data_ptr<int64_t>() + pt.numel());
            }
            auto mode = a.count("mode") ? a.at("mode")->s() : std::string("constant");
            if (mode != "constant") throw Error(where + ": only constant padding is supported");
            // ONNX: all begins then all ends, outermost first; torch: innermost first.
            const size_t r = pads.size() / 2;
            std::vector<int64_t> tp;
            for (size_t i = r; i-- > 0;) {
                tp.push_back(pads[i]);
                tp.push_back(pads[i + r]);
            }
            fn = [=](Slots& s) { s[y] = torch::constant_pad_nd(s[x], tp, 0); };
        } else if (op == "Dropout" || op == "Identity") {
            fn = [=](Slots& s) { s[y] = s[x]; };
        } else {
            std::string list;
            for (const auto& o : supported) list += (list.empty() ? "" : ", ") + o;
            throw Error(where + ": operator '" + op +
                        "' is not supported by the zoo executor (it runs: " + list + ")");
        }
        if (x < 0 && op != "Constant") throw Error(where + ": no input");
        steps_.push_back({std::move(fn), out, {}});  // releases: plan_releases
    }
    plan_releases(g, slot);
    for (const auto& o : g.output()) {
        if (!slot.count(o.name()))
            throw Error(label + ": graph output '" + o.name() + "' is never produced");
        output_slots_.push_back(slot.at(o.name()));
    }
}

void OnnxExecutor::plan_releases(const onnx::GraphProto& g,
                                 const std::unordered_map<std::string, int>& slot) {
    // Free each activation after its last reader, as a module's forward does: keeping
    // every intermediate alive defeats the allocator's reuse of warm memory.
    std::vector<int> last(slot_names_.size(), -1);
    size_t step = 0;
    for (const auto& n : g.node()) {
        if (n.op_type() == "Constant") continue;
        for (const auto& i : n.input())
            if (!i.empty()) last[static_cast<size_t>(slot.at(i))] = static_cast<int>(step);
        ++step;
    }
    std::vector<bool> keep(slot_names_.size(), false);
    for (size_t s = 0; s < initial_.size(); ++s) keep[s] = initial_[s].defined();
    for (const auto& o : g.output())
        if (slot.count(o.name())) keep[static_cast<size_t>(slot.at(o.name()))] = true;
    for (size_t s = 0; s < last.size(); ++s)
        if (last[s] >= 0 && !keep[s])
            steps_[static_cast<size_t>(last[s])].release.push_back(static_cast<int>(s));
}

torch::Tensor OnnxExecutor::random_input(uint64_t seed) const {
    torch::Generator gen = at::detail::createCPUGenerator(seed);
    return torch::randn(input_shape_, gen, torch::TensorOptions().dtype(torch::kFloat32))
        .to(device_);
}

std::vector<torch::Tensor> OnnxExecutor::run_slots(const torch::Tensor& input, Slots* all) const {
    torch::NoGradGuard no_grad;
    Slots s = initial_;
    s[static_cast<size_t>(input_slot_)] = input;
    for (const auto& st : steps_) {
        st.fn(s);
        if (!all)
            for (int r : st.release) s[static_cast<size_t>(r)] = torch::Tensor();
    }
    std::vector<torch::Tensor> out;
    for (int o : output_slots_) out.push_back(s[static_cast<size_t>(o)]);
    if (all) *all = std::move(s);
    return out;
}

std::vector<torch::Tensor> OnnxExecutor::run(const torch::Tensor& input) const {
    return run_slots(input, nullptr);
}

std::vector<std::pair<std::string, torch::Tensor>> OnnxExecutor::run_traced(
    const torch::Tensor& input) const {
    Slots s;
    run_slots(input, &s);
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& st : steps_)
        for (int o : st.outputs)
            out.emplace_back(slot_names_[static_cast<size_t>(o)], s[static_cast<size_t>(o)]);
    return out;
}

}  // namespace nar::runner
