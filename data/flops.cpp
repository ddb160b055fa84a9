#include "data/flops.h"

#include <functional>
#include <unordered_map>

#include "common/error.h"

namespace nar::data {

using nar::common::Error;

namespace {

using Dims = std::vector<int64_t>;

// np.prod over a slice; the empty product is 1.
double prod(const Dims& d, size_t from = 0) {
    int64_t p = 1;
    for (size_t i = from; i < d.size(); ++i) p *= d[i];
    return static_cast<double>(p);
}

struct Ctx {
    const onnx::NodeProto& node;
    const ShapeMap& shapes;
    const std::string& label;

    const Dims& shape(const std::string& name) const {
        auto it = shapes.find(name);
        if (it == shapes.end() || !it->second)
            throw Error(label + ": node '" + node.name() + "' (" + node.op_type() +
                        "): no shape for tensor '" + name + "'");
        return it->second->dims;
    }
    const Dims& in(int i) const {
        if (i >= node.input_size()) fail("missing input " + std::to_string(i));
        return shape(node.input(i));
    }
    const Dims& out(int i) const { return shape(node.output(i)); }
    const Dims& dims_at_least(const Dims& d, size_t n, const char* what) const {
        if (d.size() < n) fail(std::string(what) + " has rank " + std::to_string(d.size()));
        return d;
    }
    const onnx::AttributeProto* attr(const std::string& name) const {
        for (const auto& a : node.attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }
    bool has_bias() const { return node.input_size() == 3; }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(label + ": node '" + node.name() + "' (" + node.op_type() + "): " + what);
    }
};

struct Cost {
    double flops = 0, params = 0;
};

Cost conv_compat(const Ctx& c) {
    if (c.node.op_type() != "Conv")
        c.fail(
            "the reference's FLOPs routine accepts only Conv (ConvTranspose is refused; "
            "use the fixed FLOPs mode)");
    const Dims& w = c.dims_at_least(c.in(1), 1, "weight");
    const double bias = c.has_bias() ? 1 : 0;
    const double ci_k2 = prod(w, 1);
    return {prod(c.out(0), 1) * (2 * ci_k2 - 1 + bias), static_cast<double>(w[0]) * (ci_k2 + bias)};
}

Cost conv_transpose_fixed(const Ctx& c) {
    // Each input element is multiplied by C_out/group * k_h * k_w weights and summed
    // into the output; bias adds once per output element.
    const Dims& w = c.dims_at_least(c.in(1), 2, "weight");  // [C_in, C_out/group, kh, kw]
    const Dims& x = c.in(0);
    const double bias = c.has_bias() ? 1 : 0;
    const double per_in = prod(w, 1);
    const double flops = prod(x, 1) * 2 * per_in + bias * prod(c.out(0), 1);
    int64_t group = 1;
    if (const auto* a = c.attr("group")) group = a->i();
    const double c_out = static_cast<double>(w[1]) * static_cast<double>(group);
    return {flops, prod(w) + bias * c_out};
}

Cost gemm(const Ctx& c) {
    const Dims& w = c.dims_at_least(c.in(1), 2, "B");
    const auto* tb = c.attr("transB");
    double co, ci;
    if (tb && tb->i() != 0) {
        co = static_cast<double>(w[w.size() - 2]);
        ci = static_cast<double>(w[w.size() - 1]);
    } else {
        ci = static_cast<double>(w[w.size() - 2]);
        co = static_cast<double>(w[w.size() - 1]);
    }
    const double bias = c.has_bias() ? 1 : 0;
    return {co * (2 * ci - 1 + bias), co * (ci + bias)};
}

Cost avgpool(const Ctx& c, FlopsMode mode) {
    const Dims& o = c.out(0);
    if (c.node.op_type() == "GlobalAveragePool") {
        const Dims& i = c.in(0);
        if (mode == FlopsMode::fixed) return {prod(i, 1), 0};
        // Quirk: kernel = in[3] / out[3] (a float), so C*H_out*W_out*W_in.
        c.dims_at_least(i, 4, "input");
        c.dims_at_least(o, 4, "output");
        return {prod(o, 1) * (static_cast<double>(i[3]) / static_cast<double>(o[3])), 0};
    }
    const auto* k = c.attr("kernel_shape");
    int64_t kp = 1;
    if (k)
        for (auto v : k->ints()) kp *= v;
    return {prod(o, 1) * static_cast<double>(kp), 0};
}

Cost elementwise(const Ctx& c) { return {prod(c.out(0)), 0}; }

Cost softmax(const Ctx& c, FlopsMode mode) {
    const Dims& x = c.in(0);
    if (mode == FlopsMode::fixed) {
        // exp + add + div per element, minus one add per row... keep it per element.
        return {3 * prod(x), 0};
    }
    // Quirk: numpy x.size is the rank, x[0] the batch dim: nfeatures = rank // batch.
    const int64_t rank = static_cast<int64_t>(x.size());
    const int64_t b = x.empty() ? 0 : x[0];
    int64_t n = 0;
    if (b != 0) {
        n = rank / b;
        if ((rank % b != 0) && ((rank < 0) != (b < 0))) --n;  // Python floor division
    }
    return {static_cast<double>(3 * n - 1), 0};
}

Cost batchnorm(const Ctx& c) {
    const Dims& x = c.dims_at_least(c.in(0), 2, "input");
    if (c.node.input_size() > 1) return {4 * prod(x), 4 * static_cast<double>(x[1])};
    return {2 * prod(x), 2 * static_cast<double>(x[1])};
}

Cost upsample(const Ctx& c) {
    const auto* a = c.attr("mode");
    const std::string mode = a ? a->s() : "nearest";
    const Dims& y = c.out(0);
    if (mode == "linear") return {prod(y, 1) * 5, 0};
    if (mode == "bilinear") c.fail("Upsample mode 'bilinear' (the reference raises here)");
    if (mode == "bicubic") return {prod(y, 1) * (224 + 35), 0};
    if (mode == "trilinear") return {prod(y, 1) * (13 * 2 + 5), 0};
    return {0, 0};  // nearest and unknown modes
}

Cost matmul(const Ctx& c) {
    // (.. N x K) * (K x M): N*M*(2K-1) per matrix, times the leading (batch) dims.
    const Dims& a = c.dims_at_least(c.in(0), 1, "A");
    const Dims& o = c.out(0);
    const double k = static_cast<double>(a.back());
    return {prod(o) * (2 * k - 1), 0};
}

}  // namespace

FlopsTotals count_flops(const onnx::GraphProto& g, const ShapeMap& shapes, FlopsMode mode,
                        const std::string& label) {
    using Fn = std::function<Cost(const Ctx&)>;
    const Fn zero = [](const Ctx&) { return Cost{}; };
    static const char* kZeroOps[] = {"Relu",   "Reshape", "MaxPool", "Split", "Transpose",
                                     "Concat", "Flatten", "Cast",    "Slice", "Clip"};
    static const char* kElemOps[] = {"Add", "Sigmoid", "Mul",  "ReduceMean", "Pow",
                                     "Div", "Sub",     "Sqrt", "Tanh"};
    std::unordered_map<std::string, Fn> table;
    for (const char* op : kZeroOps) table[op] = zero;
    for (const char* op : kElemOps) table[op] = elementwise;
    table["Conv"] = conv_compat;
    table["ConvTranspose"] = mode == FlopsMode::fixed ? Fn(conv_transpose_fixed) : Fn(conv_compat);
    table["Gemm"] = gemm;
    table["GlobalAveragePool"] = [mode](const Ctx& c) { return avgpool(c, mode); };
    table["AveragePool"] = [mode](const Ctx& c) { return avgpool(c, mode); };
    table["Upsample"] = upsample;
    table["BatchNormalization"] = batchnorm;
    table["Softmax"] = [mode](const Ctx& c) { return softmax(c, mode); };
    // The reference's table spells "Matmul", so ONNX MatMul is never counted there.
    if (mode == FlopsMode::fixed) table["MatMul"] = matmul;

    FlopsTotals t;
    t.per_node.reserve(g.node_size());
    for (const auto& node : g.node()) {
        const Ctx c{node, shapes, label};
        NodeCost nc;
        double access = 0;
        for (const auto& o : node.output()) access += prod(c.shape(o));
        auto it = table.find(node.op_type());
        if (it != table.end()) {
            const Cost cost = it->second(c);
            nc.flops = cost.flops;
            nc.params = cost.params;
            nc.counted = true;
            t.flops += cost.flops;
            t.params += cost.params;
            access += cost.params;
            t.memory_access += access;
        }
        nc.access = access;
        t.per_node.push_back(nc);
    }
    return t;
}

}  // namespace nar::data
