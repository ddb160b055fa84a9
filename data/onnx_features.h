#pragma once
// Per-node and per-network feature vectors of the ONNX encoder (features.md,
// "Whole networks"): [op type 32 | attributes 80 | output shape 40] and the
// static vector, in three encodings.
#include <cstdint>
#include <string>
#include <vector>

namespace nar::data {

enum class NodeEncoding {
    pe,     // reference: one-hot 32 | PE_trans attrs 80 | PE_trans shape 40 = 152; static 40
    raw,    // GNN baseline: one-hot 32 | 8 raw attrs | 4 raw dims = 44; static 4 raw
    op_pe,  // ablation: PE_trans(op slot; 16) 32 (zeros if not in the table) | 80 | 40 = 152
};

NodeEncoding parse_node_encoding(const std::string& s);  // "pe" | "raw" | "op_pe"
std::string to_string(NodeEncoding e);
int64_t node_feature_dim(NodeEncoding e);    // 152 or 44
int64_t static_feature_dim(NodeEncoding e);  // 40 or 4

constexpr int kOpSlots = 32;
constexpr int kMaxAttrs = 8;

// One-hot slot of a node type in the reference's op table, or -1 (zero row).
// Note the table spells "Matmul": ONNX "MatMul" gets -1, as in the reference.
int op_slot(const std::string& op_type);

// Writes one node's features (node_feature_dim(e) floats) to `out`.
// attr_raw holds attr_count values; `vector_attr` marks Transpose's perm, which is
// encoded as one 8-vector (frequency-major) instead of value by value.
void encode_node(NodeEncoding e, int slot, const float* attr_raw, int attr_count, bool vector_attr,
                 const std::vector<int64_t>& dims, float* out);

// static_in = [batch, FLOPs/1e9, params/1e9, memory/1e9]; writes static_feature_dim(e) floats.
void encode_static(NodeEncoding e, const double static_in[4], float* out);

}  // namespace nar::data
