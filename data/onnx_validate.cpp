#include "data/onnx_validate.h"

#include <unordered_set>
#include <vector>

#include "common/error.h"

namespace nar::data {

using nar::common::Error;

namespace {

const std::unordered_set<std::string>& conv_ops() {
    static const std::unordered_set<std::string> s = {"Conv", "ConvTranspose", "ConvInteger",
                                                      "QLinearConv"};
    return s;
}

const std::unordered_set<std::string>& pool_ops() {
    static const std::unordered_set<std::string> s = {"MaxPool", "AveragePool", "LpPool"};
    return s;
}

std::string node_desc(const std::string& label, const onnx::NodeProto& n) {
    return label + ": node '" + n.name() + "' (" + n.op_type() + ")";
}

std::string dims_str(const std::vector<int64_t>& d) {
    std::string s = "[";
    for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
}

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

std::vector<int64_t> ints_or(const onnx::NodeProto& n, const std::string& name,
                             std::vector<int64_t> dflt) {
    const auto* a = attr(n, name);
    if (!a || a->ints_size() == 0) return dflt;
    return {a->ints().begin(), a->ints().end()};
}

// Every value of an INTS attribute must be >= min.
void check_ints(const onnx::NodeProto& n, const std::string& name, int64_t min,
                const std::string& label) {
    const auto* a = attr(n, name);
    if (!a) return;
    for (int64_t v : a->ints())
        if (v < min)
            throw Error(node_desc(label, n) + ": attribute " + name + " " +
                        dims_str({a->ints().begin(), a->ints().end()}) + " has a value below " +
                        std::to_string(min));
}

const std::vector<int64_t>* dims_of(const ShapeMap& shapes, const std::string& name) {
    auto it = shapes.find(name);
    if (it == shapes.end() || !it->second) return nullptr;
    return &it->second->dims;
}

// (Dilated) kernel against the padded input, spatial dims only. auto_pad SAME_*
// pads as much as needed, so there any kernel fits.
void check_kernel_fits(const onnx::NodeProto& n, const std::vector<int64_t>& x,
                       const std::vector<int64_t>& kernel, const std::string& label) {
    const auto* ap = attr(n, "auto_pad");
    if (ap && ap->s().rfind("SAME", 0) == 0) return;
    const size_t sp = kernel.size();
    if (x.size() != sp + 2) return;
    const auto dil = ints_or(n, "dilations", std::vector<int64_t>(sp, 1));
    const auto pads = ints_or(n, "pads", std::vector<int64_t>(2 * sp, 0));
    for (size_t i = 0; i < sp; ++i) {
        const int64_t d = i < dil.size() ? dil[i] : 1;
        const int64_t pb = i < pads.size() ? pads[i] : 0;
        const int64_t pe = i + sp < pads.size() ? pads[i + sp] : 0;
        const int64_t eff = (kernel[i] - 1) * d + 1;
        if (eff > x[i + 2] + pb + pe)
            throw Error(node_desc(label, n) + ": kernel " + dims_str(kernel) + " (dilated " +
                        std::to_string(eff) + ") is larger than its padded input (" +
                        std::to_string(x[i + 2]) + " + pads " + std::to_string(pb + pe) +
                        ") in spatial dimension " + std::to_string(i) + "; input " + dims_str(x));
    }
}

void check_conv(const onnx::NodeProto& n, const ShapeMap& shapes, const std::string& label) {
    if (n.op_type() != "Conv" && n.op_type() != "ConvTranspose") return;
    if (n.input_size() < 2) return;
    const auto* x = dims_of(shapes, n.input(0));
    const auto* w = dims_of(shapes, n.input(1));
    if (!x || !w || x->size() < 3 || w->size() != x->size()) return;
    const auto* ga = attr(n, "group");
    const int64_t group = ga ? ga->i() : 1;
    const int64_t c = (*x)[1];
    if (c <= 0)
        throw Error(node_desc(label, n) + ": input has " + std::to_string(c) + " channels; input " +
                    dims_str(*x));
    if (c % group != 0)
        throw Error(node_desc(label, n) + ": group " + std::to_string(group) +
                    " does not divide the " + std::to_string(c) + " input channels");
    const bool transpose = n.op_type() == "ConvTranspose";
    // Conv weight [M, C/group, k...]; ConvTranspose weight [C, M/group, k...].
    const int64_t w_in = transpose ? (*w)[0] : (*w)[1] * group;
    const int64_t w_out = transpose ? (*w)[1] * group : (*w)[0];
    if (w_in != c)
        throw Error(node_desc(label, n) + ": weight " + dims_str(*w) + " with group " +
                    std::to_string(group) + " expects " + std::to_string(w_in) +
                    " input channels, the input has " + std::to_string(c));
    if (w_out <= 0 || w_out % group != 0)
        throw Error(node_desc(label, n) + ": " + std::to_string(w_out) +
                    " output channels are not a positive multiple of group " +
                    std::to_string(group));
    if (!transpose) {
        const std::vector<int64_t> k(w->begin() + 2, w->end());
        check_kernel_fits(n, *x, ints_or(n, "kernel_shape", k), label);
    }
}

void check_pool(const onnx::NodeProto& n, const ShapeMap& shapes, const std::string& label) {
    if (!pool_ops().count(n.op_type()) || n.input_size() < 1) return;
    const auto* x = dims_of(shapes, n.input(0));
    const auto k = ints_or(n, "kernel_shape", {});
    if (!x || k.empty()) return;
    check_kernel_fits(n, *x, k, label);
}

// Element count of `d`, or -1 when it does not fit in int64.
int64_t checked_numel(const std::vector<int64_t>& d) {
    int64_t n = 1;
    for (int64_t v : d) {
        if (v == 0) return 0;
        if (__builtin_mul_overflow(n, v, &n)) return -1;
    }
    return n;
}

}  // namespace

void validate_onnx_attributes(const onnx::GraphProto& g, const std::string& label) {
    std::unordered_set<std::string> inits;
    for (const auto& t : g.initializer()) {
        inits.insert(t.name());
        for (int64_t d : t.dims())
            if (d < 0)
                throw Error(label + ": initializer '" + t.name() + "' has dims " +
                            dims_str({t.dims().begin(), t.dims().end()}) + " (negative)");
    }
    for (const auto& v : g.input()) {
        if (inits.count(v.name()) || !v.type().has_tensor_type()) continue;
        const auto& shape = v.type().tensor_type().shape();
        for (int i = 1; i < shape.dim_size(); ++i)  // dim 0 is the batch, set by the caller
            if (shape.dim(i).has_dim_value() && shape.dim(i).dim_value() <= 0)
                throw Error(label + ": graph input '" + v.name() + "' has dimension " +
                            std::to_string(i) + " = " + std::to_string(shape.dim(i).dim_value()) +
                            "; dimensions must be positive");
    }
    for (const auto& n : g.node()) {
        const bool conv = conv_ops().count(n.op_type()) > 0;
        if (!conv && !pool_ops().count(n.op_type())) continue;
        check_ints(n, "kernel_shape", 1, label);
        check_ints(n, "strides", 1, label);
        check_ints(n, "dilations", 1, label);
        check_ints(n, "pads", 0, label);
        if (conv) {
            check_ints(n, "output_padding", 0, label);
            const auto* ga = attr(n, "group");
            if (ga && ga->i() < 1)
                throw Error(node_desc(label, n) + ": attribute group " + std::to_string(ga->i()) +
                            " must be at least 1");
        }
    }
}

void validate_onnx_shapes(const onnx::GraphProto& g, const ShapeMap& shapes,
                          const std::string& label) {
    for (const auto& n : g.node()) {
        // Attribute/input checks first: they explain a bad output shape best.
        check_conv(n, shapes, label);
        check_pool(n, shapes, label);
        for (const auto& o : n.output()) {
            const auto* d = dims_of(shapes, o);
            if (!d) continue;
            for (int64_t v : *d) {
                // A Constant may legitimately be empty (e.g. Resize's unused roi).
                if (v < 0 || (v == 0 && n.op_type() != "Constant"))
                    throw Error(node_desc(label, n) + ": output '" + o + "' has shape " +
                                dims_str(*d) + " (" + (v < 0 ? "negative" : "zero") +
                                " dimension)");
            }
            if (checked_numel(*d) < 0)
                throw Error(node_desc(label, n) + ": output '" + o + "' of shape " + dims_str(*d) +
                            " has more elements than fit in 64 bits");
        }
    }
}

}  // namespace nar::data
