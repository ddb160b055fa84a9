#include "data/zoo/graph_builder.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace nar::data::zoo {

using nar::common::Error;

namespace {

void attr_i(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}

void attr_f(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
}

void attr_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}

void set_value_info(onnx::ValueInfoProto* vi, const Tensor& t) {
    vi->set_name(t.name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : t.dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

void require_4d(const Tensor& x, const char* op) {
    if (x.dims.size() != 4)
        throw Error(std::string("zoo graph builder: ") + op + " needs an NCHW tensor, '" + x.name +
                    "' has rank " + std::to_string(x.dims.size()));
}

}  // namespace

int64_t window_out(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation,
                   bool ceil_mode) {
    const int64_t span = in + 2 * pad - dilation * (k - 1) - 1;
    if (span < 0)
        throw Error("zoo graph builder: window " + std::to_string(k) + " larger than input " +
                    std::to_string(in) + " (input size too small for this network)");
    int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    // A ceil-mode window must start inside the input (PyTorch/ONNX rule).
    if (ceil_mode && (out - 1) * stride >= in + pad) --out;
    return out;
}

int64_t make_divisible(double v, int64_t divisor) {
    int64_t r =
        std::max<int64_t>(divisor, static_cast<int64_t>(v + divisor / 2.0) / divisor * divisor);
    if (static_cast<double>(r) < 0.9 * v) r += divisor;
    return r;
}

GraphBuilder::GraphBuilder(std::string name, bool fold_bn) : fold_bn_(fold_bn) {
    model_.set_ir_version(6);
    model_.set_producer_name("nar-zoo");
    model_.add_opset_import()->set_version(11);
    graph_ = model_.mutable_graph();
    graph_->set_name(std::move(name));
}

std::string GraphBuilder::fresh(const std::string& op) {
    return op + "_" + std::to_string(counter_++);
}

onnx::NodeProto* GraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                    const std::string& output) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(output + "_node");
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
}

std::string GraphBuilder::weight(const std::vector<int64_t>& dims) {
    auto* t = graph_->add_initializer();
    const std::string name = fresh("w");
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    return name;
}

std::string GraphBuilder::constant_f32(float v) {
    const std::string out = fresh("const");
    auto* n = node("Constant", {}, out);
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    a->mutable_t()->add_float_data(v);
    return out;
}

std::string GraphBuilder::constant_i64(const std::vector<int64_t>& v) {
    const std::string out = fresh("const");
    auto* n = node("Constant", {}, out);
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return out;
}

Tensor GraphBuilder::input(int64_t batch, int64_t c, int64_t h, int64_t w) {
    Tensor t{"input", {batch, c, h, w}};
    set_value_info(graph_->add_input(), t);
    return t;
}

Tensor GraphBuilder::conv(const Tensor& x, const ConvSpec& s) {
    require_4d(x, "Conv");
    if (s.out <= 0 || x.c() % s.group != 0 || s.out % s.group != 0)
        throw Error("zoo graph builder: Conv " + std::to_string(x.c()) + "->" +
                    std::to_string(s.out) + " channels with group " + std::to_string(s.group));
    const int64_t pad = s.pad < 0 ? (s.kernel / 2) * s.dilation : s.pad;
    std::vector<std::string> in{x.name, weight({s.out, x.c() / s.group, s.kernel, s.kernel})};
    if (s.bias) in.push_back(weight({s.out}));
    Tensor y{fresh("conv"),
             {x.dims[0], s.out, window_out(x.h(), s.kernel, s.stride, pad, s.dilation, false),
              window_out(x.w(), s.kernel, s.stride, pad, s.dilation, false)}};
    auto* n = node("Conv", in, y.name);
    attr_ints(n, "dilations", {s.dilation, s.dilation});
    attr_i(n, "group", s.group);
    attr_ints(n, "kernel_shape", {s.kernel, s.kernel});
    attr_ints(n, "pads", {pad, pad, pad, pad});
    attr_ints(n, "strides", {s.stride, s.stride});
    return y;
}

Tensor GraphBuilder::conv_bn(const Tensor& x, const ConvSpec& spec) {
    ConvSpec s = spec;
    s.bias = fold_bn_;
    const Tensor y = conv(x, s);
    return fold_bn_ ? y : batch_norm(y);
}

Tensor GraphBuilder::batch_norm(const Tensor& x) {
    const int64_t c = x.c();
    Tensor y{fresh("bn"), x.dims};
    auto* n = node("BatchNormalization",
                   {x.name, weight({c}), weight({c}), weight({c}), weight({c})}, y.name);
    attr_f(n, "epsilon", 1e-5f);
    attr_f(n, "momentum", 0.9f);
    return y;
}

Tensor GraphBuilder::unary(const std::string& op, const Tensor& x) {
    Tensor y{fresh(op), x.dims};
    node(op, {x.name}, y.name);
    return y;
}

Tensor GraphBuilder::relu(const Tensor& x) { return unary("Relu", x); }
Tensor GraphBuilder::sigmoid(const Tensor& x) { return unary("Sigmoid", x); }

Tensor GraphBuilder::relu6(const Tensor& x) {
    const std::string lo = constant_f32(0.f), hi = constant_f32(6.f);
    Tensor y{fresh("Clip"), x.dims};
    node("Clip", {x.name, lo, hi}, y.name);
    return y;
}

Tensor GraphBuilder::hard_sigmoid(const Tensor& x) {
    Tensor y{fresh("HardSigmoid"), x.dims};
    auto* n = node("HardSigmoid", {x.name}, y.name);
    attr_f(n, "alpha", 1.f / 6.f);
    attr_f(n, "beta", 0.5f);
    return y;
}

Tensor GraphBuilder::hard_swish(const Tensor& x) { return mul(x, hard_sigmoid(x)); }
Tensor GraphBuilder::swish(const Tensor& x) { return mul(x, sigmoid(x)); }

Tensor GraphBuilder::mul(const Tensor& a, const Tensor& b) {
    Tensor y{fresh("Mul"), a.dims};
    node("Mul", {a.name, b.name}, y.name);
    return y;
}

Tensor GraphBuilder::add(const Tensor& a, const Tensor& b) {
    if (a.dims != b.dims)
        throw Error("zoo graph builder: Add of differently shaped '" + a.name + "' and '" + b.name +
                    "'");
    Tensor y{fresh("Add"), a.dims};
    node("Add", {a.name, b.name}, y.name);
    return y;
}

Tensor GraphBuilder::concat(const std::vector<Tensor>& xs) {
    Tensor y{fresh("Concat"), xs.at(0).dims};
    y.dims[1] = 0;
    std::vector<std::string> in;
    for (const auto& x : xs) {
        y.dims[1] += x.c();
        in.push_back(x.name);
    }
    attr_i(node("Concat", in, y.name), "axis", 1);
    return y;
}

std::vector<Tensor> GraphBuilder::split(const Tensor& x, const std::vector<int64_t>& sizes) {
    auto* n = graph_->add_node();
    n->set_op_type("Split");
    n->add_input(x.name);
    std::vector<Tensor> out;
    for (int64_t s : sizes) {
        Tensor t{fresh("Split"), x.dims};
        t.dims[1] = s;
        n->add_output(t.name);
        out.push_back(t);
    }
    n->set_name(out[0].name + "_node");
    attr_i(n, "axis", 1);
    attr_ints(n, "split", sizes);
    return out;
}

Tensor GraphBuilder::pool(const std::string& op, const Tensor& x, int64_t k, int64_t stride,
                          int64_t pad, bool ceil_mode) {
    require_4d(x, op.c_str());
    Tensor y{fresh(op),
             {x.dims[0], x.c(), window_out(x.h(), k, stride, pad, 1, ceil_mode),
              window_out(x.w(), k, stride, pad, 1, ceil_mode)}};
    auto* n = node(op, {x.name}, y.name);
    attr_i(n, "ceil_mode", ceil_mode ? 1 : 0);
    attr_ints(n, "kernel_shape", {k, k});
    attr_ints(n, "pads", {pad, pad, pad, pad});
    attr_ints(n, "strides", {stride, stride});
    return y;
}

Tensor GraphBuilder::max_pool(const Tensor& x, int64_t k, int64_t stride, int64_t pad,
                              bool ceil_mode) {
    return pool("MaxPool", x, k, stride, pad, ceil_mode);
}

Tensor GraphBuilder::avg_pool(const Tensor& x, int64_t k, int64_t stride, int64_t pad,
                              bool ceil_mode) {
    return pool("AveragePool", x, k, stride, pad, ceil_mode);
}

Tensor GraphBuilder::global_avg_pool(const Tensor& x) {
    require_4d(x, "GlobalAveragePool");
    Tensor y{fresh("GlobalAveragePool"), {x.dims[0], x.c(), 1, 1}};
    node("GlobalAveragePool", {x.name}, y.name);
    return y;
}

Tensor GraphBuilder::reduce_mean_hw(const Tensor& x) {
    require_4d(x, "ReduceMean");
    Tensor y{fresh("ReduceMean"), {x.dims[0], x.c()}};
    auto* n = node("ReduceMean", {x.name}, y.name);
    attr_ints(n, "axes", {2, 3});
    attr_i(n, "keepdims", 0);
    return y;
}

Tensor GraphBuilder::flatten(const Tensor& x) {
    int64_t f = 1;
    for (size_t i = 1; i < x.dims.size(); ++i) f *= x.dims[i];
    Tensor y{fresh("Flatten"), {x.dims[0], f}};
    attr_i(node("Flatten", {x.name}, y.name), "axis", 1);
    return y;
}

Tensor GraphBuilder::gemm(const Tensor& x, int64_t out) {
    if (x.dims.size() != 2) throw Error("zoo graph builder: Gemm needs a flattened input");
    Tensor y{fresh("Gemm"), {x.dims[0], out}};
    auto* n = node("Gemm", {x.name, weight({out, x.dims[1]}), weight({out})}, y.name);
    attr_f(n, "alpha", 1.f);
    attr_f(n, "beta", 1.f);
    attr_i(n, "transB", 1);
    return y;
}

Tensor GraphBuilder::scalar(float v) { return Tensor{constant_f32(v), {}}; }

Tensor GraphBuilder::dropout(const Tensor& x) { return x; }

Tensor GraphBuilder::channel_shuffle(const Tensor& x, int64_t groups) {
    require_4d(x, "channel shuffle");
    const auto& d = x.dims;
    Tensor r{fresh("Reshape"), {d[0], groups, d[1] / groups, d[2], d[3]}};
    node("Reshape", {x.name, constant_i64(r.dims)}, r.name);
    Tensor t{fresh("Transpose"), {d[0], d[1] / groups, groups, d[2], d[3]}};
    attr_ints(node("Transpose", {r.name}, t.name), "perm", {0, 2, 1, 3, 4});
    Tensor y{fresh("Reshape"), d};
    node("Reshape", {t.name, constant_i64(d)}, y.name);
    return y;
}

onnx::ModelProto GraphBuilder::finish(const Tensor& y) {
    // Rename the last tensor "output" (its producer is the last node emitted).
    for (int i = graph_->node_size() - 1; i >= 0; --i) {
        auto* n = graph_->mutable_node(i);
        for (int o = 0; o < n->output_size(); ++o)
            if (n->output(o) == y.name) n->set_output(o, "output");
    }
    Tensor out = y;
    out.name = "output";
    set_value_info(graph_->add_output(), out);
    return model_;
}

}  // namespace nar::data::zoo
