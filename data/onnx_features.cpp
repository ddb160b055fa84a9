#include "data/onnx_features.h"

#include <algorithm>
#include <unordered_map>

#include "common/error.h"
#include "data/pe_trans.h"

namespace nar::data {

NodeEncoding parse_node_encoding(const std::string& s) {
    if (s == "pe") return NodeEncoding::pe;
    if (s == "raw") return NodeEncoding::raw;
    if (s == "op_pe") return NodeEncoding::op_pe;
    throw nar::common::Error("unknown node encoding '" + s + "' (expected pe, raw or op_pe)");
}

std::string to_string(NodeEncoding e) {
    switch (e) {
        case NodeEncoding::pe:
            return "pe";
        case NodeEncoding::raw:
            return "raw";
        case NodeEncoding::op_pe:
            return "op_pe";
    }
    return "?";
}

int64_t node_feature_dim(NodeEncoding e) { return e == NodeEncoding::raw ? 44 : 152; }
int64_t static_feature_dim(NodeEncoding e) { return e == NodeEncoding::raw ? 4 : 40; }

int op_slot(const std::string& op_type) {
    static const std::unordered_map<std::string, int> table = [] {
        const char* ops[] = {"Conv",    "Relu",      "Add",        "Sigmoid",
                             "Reshape", "MaxPool",   "Split",      "GlobalAveragePool",
                             "Gemm",    "Transpose", "Upsample",   "BatchNormalization",
                             "Mul",     "Concat",    "Flatten",    "AveragePool",
                             "Cast",    "Matmul",    "ReduceMean", "Pow",
                             "Slice",   "Div",       "Sub",        "Sqrt",
                             "Clip",    "Softmax",   "Tanh",       "ConvTranspose"};
        std::unordered_map<std::string, int> m;
        for (int i = 0; i < static_cast<int>(sizeof(ops) / sizeof(ops[0])); ++i) m[ops[i]] = i;
        return m;
    }();
    auto it = table.find(op_type);
    return it == table.end() ? -1 : it->second;
}

namespace {
constexpr int kPeK = 5;  // PE_trans(.; 5): 10 numbers per value
}

void encode_node(NodeEncoding e, int slot, const float* attr_raw, int attr_count, bool vector_attr,
                 const std::vector<int64_t>& dims, float* out) {
    const int64_t dim = node_feature_dim(e);
    std::fill(out, out + dim, 0.0f);
    // Op type.
    if (slot >= 0) {
        if (e == NodeEncoding::op_pe)
            pe_trans(static_cast<float>(slot), 16, out);
        else
            out[slot] = 1.0f;
    }
    float shape4[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < dims.size() && i < 4; ++i) shape4[i] = static_cast<float>(dims[i]);

    if (e == NodeEncoding::raw) {
        for (int i = 0; i < attr_count && i < kMaxAttrs; ++i) out[kOpSlots + i] = attr_raw[i];
        for (int i = 0; i < 4; ++i) out[kOpSlots + kMaxAttrs + i] = shape4[i];
        return;
    }
    float* attrs = out + kOpSlots;
    if (vector_attr) {
        float v[kMaxAttrs] = {0};
        for (int i = 0; i < attr_count && i < kMaxAttrs; ++i) v[i] = attr_raw[i];
        pe_trans_vector(v, kMaxAttrs, kPeK, attrs);
    } else {
        for (int i = 0; i < attr_count && i < kMaxAttrs; ++i)
            pe_trans(attr_raw[i], kPeK, attrs + 2 * kPeK * i);
    }
    float* shape = out + kOpSlots + 2 * kPeK * kMaxAttrs;
    for (int i = 0; i < 4; ++i) pe_trans(shape4[i], kPeK, shape + 2 * kPeK * i);
}

void encode_static(NodeEncoding e, const double static_in[4], float* out) {
    for (int i = 0; i < 4; ++i) {
        const float v = static_cast<float>(static_in[i]);
        if (e == NodeEncoding::raw)
            out[i] = v;
        else
            pe_trans(v, kPeK, out + 2 * kPeK * i);
    }
}

}  // namespace nar::data
