#include "data/onnx_graph.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "data/onnx_model.h"

namespace nar::data {

using nar::common::Error;

namespace {

// A node of the reference's networkx graph.
struct NxNode {
    std::string name;
    std::string type;
    float attr[kMaxAttrs] = {0};
    int attr_count = 0;
    bool alive = true;
};

// The networkx DiGraph as the reference fills it: nodes and successors keep
// insertion order, which fixes the topological order.
class NxGraph {
  public:
    int add_node(const std::string& name) {
        auto it = index_.find(name);
        if (it != index_.end()) return it->second;
        const int id = static_cast<int>(nodes_.size());
        index_.emplace(name, id);
        nodes_.push_back(NxNode{});
        nodes_.back().name = name;
        succ_.emplace_back();
        indeg_.push_back(0);
        return id;
    }
    void add_edge(const std::string& u, const std::string& v) {
        const int a = add_node(u);
        const int b = add_node(v);
        auto& s = succ_[a];
        if (std::find(s.begin(), s.end(), b) != s.end()) return;  // DiGraph: no multi-edges
        s.push_back(b);
        ++indeg_[b];
    }
    void remove_node(int id) {
        nodes_[id].alive = false;
        for (int b : succ_[id]) --indeg_[b];
        succ_[id].clear();
    }
    size_t size() const { return nodes_.size(); }
    NxNode& node(int id) { return nodes_[id]; }
    const std::vector<int>& succ(int id) const { return succ_[id]; }
    int indeg(int id) const { return indeg_[id]; }

    // networkx 2.8.8 topological_sort (Kahn by generations).
    std::vector<int> topological_order(const std::string& label) const {
        std::vector<int> indeg = indeg_;
        std::vector<int> gen, order;
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].alive && indeg[i] == 0) gen.push_back(static_cast<int>(i));
        while (!gen.empty()) {
            std::vector<int> next;
            for (int n : gen) {
                order.push_back(n);
                for (int c : succ_[n])
                    if (--indeg[c] == 0) next.push_back(c);
            }
            gen.swap(next);
        }
        size_t alive = 0;
        for (const auto& n : nodes_) alive += n.alive ? 1 : 0;
        if (order.size() != alive) throw Error(label + ": the graph has a cycle");
        return order;
    }

  private:
    std::vector<NxNode> nodes_;
    std::unordered_map<std::string, int> index_;
    std::vector<std::vector<int>> succ_;
    std::vector<int> indeg_;
};

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

std::string ints_str(const onnx::AttributeProto& a) {
    std::string s = "(";
    for (int i = 0; i < a.ints_size(); ++i) s += (i ? ", " : "") + std::to_string(a.ints(i));
    return s + ")";
}

// FSize.tuple2 / tuple4 of the reference: 2-D kernels only.
void check_sizes(const onnx::NodeProto& n, const std::string& label) {
    static const std::unordered_set<std::string> checked = {
        "Conv",    "ConvTranspose", "ConvInteger", "QLinearConv",
        "MaxPool", "AveragePool",   "LpPool",      "Pad"};
    if (!checked.count(n.op_type())) return;
    for (const auto& a : n.attribute()) {
        const std::string& k = a.name();
        const bool two = k == "kernel_shape" || k == "strides" || k == "dilations";
        const bool pads = k == "pads" || k == "output_padding" || k == "paddings";
        if (!two && !pads) continue;
        if (a.type() != onnx::AttributeProto::INTS) continue;
        const int len = a.ints_size();
        if ((two && len != 2) || (pads && len != 2 && len != 4))
            throw Error(label + ": node '" + n.name() + "' (" + n.op_type() + "): attribute " + k +
                        " has " + std::to_string(len) + " values " + ints_str(a) +
                        "; the reference encoder accepts only 2-D operators (" +
                        (two ? "2 values" : "2 or 4 pads") + ")");
    }
}

int64_t first_or(const onnx::NodeProto& n, const std::string& name, int64_t dflt) {
    const auto* a = find_attr(n, name);
    if (!a || a->ints_size() == 0) return dflt;
    return a->ints(0);
}

// The reference's node type (a few parse routines reuse another op's attribute class).
std::string node_type(const std::string& op) {
    if (op == "LSTM" || op == "Loop") return "GRU";
    if (op == "Xor") return "Where";
    if (op == "ConcatFromSequence") return "Concat";
    return op;
}

void warn_unknown_once(const std::vector<std::string>& ops) {
    static std::mutex mu;
    static std::set<std::string> warned;
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& op : ops)
        if (warned.insert(op).second)
            spdlog::warn(
                "ONNX operator '{}' is not in the reference op table: its one-hot row is "
                "zero (compatibility behaviour)",
                op);
}

}  // namespace

OnnxGraph extract_onnx_graph(const std::string& path, int64_t batch,
                             const ExtractOptions& options) {
    return extract_onnx_graph_from_bytes(read_file_bytes(path), path, batch, options);
}

OnnxGraph extract_onnx_graph_from_bytes(const std::string& bytes, const std::string& label,
                                        int64_t batch, const ExtractOptions& options) {
    InferredModel im = load_onnx_model(bytes, label, batch);
    const onnx::GraphProto& g = im.model.graph();

    // Known tensors (the reference's Switcher.input_sizes) with their dims.
    std::unordered_map<std::string, std::vector<int64_t>> known;
    for (const auto& v : g.input()) {
        std::vector<int64_t> d;
        if (v.type().has_tensor_type())
            for (const auto& x : v.type().tensor_type().shape().dim()) d.push_back(x.dim_value());
        known[v.name()] = d;
    }
    for (const auto& t : g.initializer()) known[t.name()] = {t.dims().begin(), t.dims().end()};

    // Pass 1: nodes (op outputs) in ONNX order; collect edges to add afterwards.
    NxGraph nx;
    std::vector<std::pair<std::string, std::string>> edges;
    for (const auto& n : g.node()) {
        check_sizes(n, label);
        const std::string& op = n.op_type();
        std::vector<int> conn;
        auto is_known = [&](int i) { return i < n.input_size() && known.count(n.input(i)) > 0; };
        if (op == "Conv" || op == "ConvTranspose" || op == "Gemm") {
            conn.push_back(0);
            if (n.input_size() > 1 && !is_known(1)) conn.push_back(1);
        } else if (op == "BatchNormalization" || op == "InstanceNormalization") {
            conn.push_back(0);
            for (int i = 1; i < n.input_size(); ++i)
                if (!is_known(i)) conn.push_back(i);
        } else if (op == "Reshape") {
            conn.push_back(0);
            if (!find_attr(n, "shape") && n.input_size() > 1 && !is_known(1)) conn.push_back(1);
        } else {
            for (int i = 0; i < n.input_size(); ++i) conn.push_back(i);
        }
        if (op == "Constant" && n.output_size() > 0) {
            std::vector<int64_t> d;
            if (const auto* a = find_attr(n, "value"))
                d.assign(a->t().dims().begin(), a->t().dims().end());
            known[n.output(0)] = d;
        }

        // Attributes encoded for the ops of the table.
        const std::string type = node_type(op);
        float attr[kMaxAttrs] = {0};
        int count = 0;
        if (type == "Conv" || type == "ConvTranspose") {
            int64_t k0;
            if (const auto* a = find_attr(n, "kernel_shape")) {
                k0 = a->ints_size() ? a->ints(0) : 0;
            } else if (is_known(1)) {
                const auto& w = known[n.input(1)];
                if (w.size() < 2)
                    throw Error(label + ": node '" + n.name() + "' (" + op + "): weight of rank " +
                                std::to_string(w.size()));
                k0 = w[w.size() - 2];
            } else {
                k0 = -1;
            }
            attr[count++] = static_cast<float>(k0);
            attr[count++] = static_cast<float>(first_or(n, "strides", 1));
            attr[count++] = static_cast<float>(first_or(n, "pads", 0));
            attr[count++] = static_cast<float>(first_or(n, "dilations", 1));
            const auto* grp = find_attr(n, "group");
            attr[count++] = static_cast<float>(grp ? grp->i() : 1);
            attr[count++] = n.input_size() == 3 ? 1.0f : 0.0f;
            if (type == "ConvTranspose")
                attr[count++] = static_cast<float>(first_or(n, "output_padding", 0));
        } else if (type == "MaxPool" || type == "AveragePool") {
            if (!find_attr(n, "kernel_shape"))
                throw Error(label + ": node '" + n.name() + "' (" + op +
                            "): required attribute kernel_shape is missing");
            attr[count++] = static_cast<float>(first_or(n, "kernel_shape", 0));
            attr[count++] = static_cast<float>(first_or(n, "strides", 1));
            attr[count++] = static_cast<float>(first_or(n, "pads", 0));
        } else if (type == "Gemm") {
            attr[count++] = n.input_size() == 3 ? 1.0f : 0.0f;
        } else if (type == "Transpose") {
            if (const auto* a = find_attr(n, "perm"))
                for (int i = 0; i < a->ints_size() && i < kMaxAttrs; ++i)
                    attr[i] = static_cast<float>(a->ints(i));
            count = kMaxAttrs;
        }

        std::vector<std::string> outs;
        for (const auto& o : n.output())
            if (!o.empty()) outs.push_back(o);
        for (const auto& o : outs) {
            NxNode& node = nx.node(nx.add_node(o));
            node.type = type;
            std::copy(attr, attr + kMaxAttrs, node.attr);
            node.attr_count = count;
        }
        for (int i : conn)
            for (const auto& o : outs) edges.emplace_back(n.input(i), o);
    }
    for (const auto& e : edges) nx.add_edge(e.first, e.second);

    // Sources: known tensors that feed something become Input; the rest are dropped.
    const size_t n_all = nx.size();
    std::vector<int> zero;
    for (size_t i = 0; i < n_all; ++i)
        if (nx.indeg(static_cast<int>(i)) == 0) zero.push_back(static_cast<int>(i));
    for (int id : zero) {
        NxNode& node = nx.node(id);
        if (!nx.succ(id).empty() && known.count(node.name)) {
            node.type = "Input";
            node.attr_count = 0;
            std::fill(node.attr, node.attr + kMaxAttrs, 0.0f);
        } else {
            nx.remove_node(id);
        }
    }
    const std::vector<int> order = nx.topological_order(label);

    // FLOPs / params / memory access over the ONNX nodes.
    const FlopsTotals ft = count_flops(g, im.shapes, options.flops, label);

    OnnxGraph out;
    out.onnx_nodes = g.node_size();
    const NodeEncoding enc = options.encoding;
    const int64_t fdim = node_feature_dim(enc);
    out.graph.num_nodes = static_cast<int64_t>(order.size());
    out.graph.feat_dim = fdim;
    out.graph.x.assign(order.size() * fdim, 0.0f);
    out.node_names.reserve(order.size());
    out.op_types.reserve(order.size());
    std::vector<int> pos(n_all, -1);
    std::set<std::string> unknown;
    static const std::vector<int64_t> kEmpty;
    for (size_t r = 0; r < order.size(); ++r) {
        const NxNode& node = nx.node(order[r]);
        pos[order[r]] = static_cast<int>(r);
        auto it = im.shapes.find(node.name);
        if (it == im.shapes.end())
            throw Error(label + ": could not find the output shape of node '" + node.name + "'");
        if (it->second && it->second->dynamic)
            throw Error(label + ": node '" + node.name + "' (" + node.type +
                        ") has a dynamic (symbolic) shape; only static shapes are supported");
        const std::vector<int64_t>& dims = it->second ? it->second->dims : kEmpty;
        const int slot = op_slot(node.type);
        if (slot < 0 && node.type != "Input") unknown.insert(node.type);
        encode_node(enc, slot, node.attr, node.attr_count, node.type == "Transpose", dims,
                    out.graph.x.data() + r * fdim);
        out.node_names.push_back(node.name);
        out.op_types.push_back(node.type);
    }
    for (size_t i = 0; i < n_all; ++i) {
        if (pos[i] < 0) continue;
        for (int c : nx.succ(static_cast<int>(i))) out.graph.edges.emplace_back(pos[i], pos[c]);
    }
    std::sort(out.graph.edges.begin(), out.graph.edges.end());

    out.unknown_ops.assign(unknown.begin(), unknown.end());
    if (!out.unknown_ops.empty()) {
        if (options.strict) {
            std::string list;
            for (const auto& op : out.unknown_ops) list += (list.empty() ? "" : ", ") + op;
            throw Error(label +
                        ": operators outside the reference op table (strict mode): " + list);
        }
        warn_unknown_once(out.unknown_ops);
    }

    out.static_raw = {static_cast<double>(batch), ft.flops, ft.params, ft.memory_access};
    const double static_in[4] = {static_cast<double>(batch), ft.flops / 1e9, ft.params / 1e9,
                                 ft.memory_access / 1e9};
    out.graph.static_feat.assign(static_feature_dim(enc), 0.0f);
    encode_static(enc, static_in, out.graph.static_feat.data());
    return out;
}

}  // namespace nar::data
