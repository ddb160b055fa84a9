#include "data/onnx_model.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <exception>
#include <unordered_set>

#include "common/error.h"
#include "data/input_limits.h"
#include "data/onnx_validate.h"

namespace nar::data {

using nar::common::Error;

std::string read_file_bytes(const std::string& path) {
    return read_bounded_file(path, kMaxOnnxBytes);
}

namespace {

// The reference's parse_dim: dim_value of every dim, None for an empty dim list.
std::optional<TensorShape> parse_dim(const onnx::ValueInfoProto& v) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return std::nullopt;
    const auto& shape = v.type().tensor_type().shape();
    if (shape.dim_size() == 0) return std::nullopt;
    TensorShape s;
    s.dims.reserve(shape.dim_size());
    for (const auto& d : shape.dim()) {
        s.dims.push_back(d.has_dim_value() ? d.dim_value() : 0);
        if (!d.has_dim_value()) s.dynamic = true;
    }
    return s;
}

TensorShape dims_of(const onnx::TensorProto& t) {
    TensorShape s;
    s.dims.assign(t.dims().begin(), t.dims().end());
    return s;
}

void set_batch(onnx::ValueInfoProto* v, int64_t batch) {
    if (!v->type().has_tensor_type()) return;
    auto* shape = v->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() > 0) shape->mutable_dim(0)->set_dim_value(batch);
}

}  // namespace

InferredModel load_onnx_model(const std::string& bytes, const std::string& label, int64_t batch) {
    if (batch <= 0)
        throw Error(label + ": batch size must be positive, got " + std::to_string(batch));
    if (batch > kMaxBatch)
        throw Error(label + ": batch size " + std::to_string(batch) + " is larger than the " +
                    "maximum of " + std::to_string(kMaxBatch));
    if (static_cast<int64_t>(bytes.size()) > limit_value(kMaxOnnxBytes))
        throw Error(limit_error(kMaxOnnxBytes, label, "file size " + std::to_string(bytes.size())));
    InferredModel out;
    onnx::ModelProto& m = out.model;
    if (!m.ParseFromString(bytes))
        throw Error(label +
                    ": not a valid ONNX model (protobuf parse failed; truncated or not ONNX)");
    // Arbitrary bytes can parse as a protobuf with only unknown fields; a model has a graph.
    if (m.ir_version() <= 0 || !m.has_graph() || m.graph().node_size() == 0)
        throw Error(label + ": not an ONNX model (no ir_version or empty graph)");
    if (m.graph().node_size() > limit_value(kMaxOnnxNodes))
        throw Error(limit_error(kMaxOnnxNodes, label,
                                "the graph's " + std::to_string(m.graph().node_size()) + " nodes"));
    onnx::GraphProto* g = m.mutable_graph();

    // modify_onnx_batch_size: inputs that are not initializers, and all outputs.
    std::unordered_map<std::string, int32_t> init_dtype;
    for (const auto& init : g->initializer()) init_dtype[init.name()] = init.data_type();
    for (auto& v : *g->mutable_input())
        if (!init_dtype.count(v.name())) set_batch(&v, batch);
    for (auto& v : *g->mutable_output()) set_batch(&v, batch);

    // custom_shape_infer: drop value_info, collect shapes of initializers, inputs, outputs.
    g->clear_value_info();
    ShapeMap& shapes = out.shapes;
    for (const auto& init : g->initializer()) shapes[init.name()] = dims_of(init);
    for (auto& v : *g->mutable_input()) {
        shapes[v.name()] = parse_dim(v);
        auto it = init_dtype.find(v.name());
        if (it != init_dtype.end() && v.type().has_tensor_type() &&
            v.type().tensor_type().elem_type() != it->second)
            v.mutable_type()->mutable_tensor_type()->set_elem_type(it->second);
    }
    for (const auto& v : g->output()) shapes[v.name()] = parse_dim(v);

    // Before inference: some bad attributes (strides 0) crash ONNX's own code.
    validate_onnx_attributes(*g, label);
    try {
        onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0,
                                         /*data_prop=*/false);
        onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::exception& e) {
        throw Error(label + ": ONNX shape inference failed at batch " + std::to_string(batch) +
                    ": " + e.what());
    }
    for (const auto& v : g->value_info()) shapes[v.name()] = parse_dim(v);

    // Constant outputs can be lost when rank 0: take the dims of their value.
    std::string missing;
    int n_missing = 0;
    for (const auto& node : g->node()) {
        if (node.op_type() == "Constant" && node.output_size() > 0) {
            const std::string& o = node.output(0);
            auto it = shapes.find(o);
            if (it == shapes.end() || !it->second) {
                for (const auto& a : node.attribute())
                    if (a.name() == "value") shapes[o] = dims_of(a.t());
            }
        }
        for (const auto& o : node.output()) {
            auto it = shapes.find(o);
            if (it == shapes.end() || !it->second) {
                if (n_missing < 5)
                    missing += (missing.empty() ? "" : ", ") + std::string("node '") + node.name() +
                               "' (" + node.op_type() + ", output '" + o + "')";
                ++n_missing;
            }
        }
    }
    if (n_missing > 0)
        throw Error(label + ": output shapes could not be inferred at batch " +
                    std::to_string(batch) + " for " + std::to_string(n_missing) +
                    " tensor(s): " + missing + (n_missing > 5 ? ", ..." : ""));
    validate_onnx_shapes(*g, shapes, label);
    return out;
}

}  // namespace nar::data
