#include "data/feature_file.h"

#include "common/atomic_write.h"
#include "common/h5.h"

namespace nar::data {

void write_feature_file(const std::string& path, const OnnxGraph& g, const std::string& onnx_file,
                        int64_t batch, const ExtractOptions& options) {
    std::vector<int64_t> edges;
    edges.reserve(2 * g.graph.edges.size());
    for (const auto& e : g.graph.edges) {
        edges.push_back(e.first);
        edges.push_back(e.second);
    }
    common::write_atomically(path, [&](const std::string& tmp) {
        common::H5File f(tmp, common::H5File::Mode::Truncate);
        const auto n = static_cast<hsize_t>(g.graph.num_nodes);
        f.write_strings("node_names", g.node_names);
        f.write_strings("op_types", g.op_types);
        f.write_f32("x", g.graph.x, {n, static_cast<hsize_t>(g.graph.feat_dim)});
        f.write_i64("edges", edges, {static_cast<hsize_t>(g.graph.edges.size()), 2});
        f.write_f32("static", g.graph.static_feat, {g.graph.static_feat.size()});
        f.write_f64("static_raw", {g.static_raw.begin(), g.static_raw.end()}, {4});
        f.write_strings("unknown_ops", g.unknown_ops);
        f.write_attr_string("/", "onnx_file", onnx_file);
        f.write_attr_i64("/", "batch_size", batch);
        f.write_attr_string("/", "encoding", to_string(options.encoding));
        f.write_attr_string("/", "flops_mode",
                            options.flops == FlopsMode::fixed ? "fixed" : "compat");
        f.write_attr_i64("/", "num_nodes", g.graph.num_nodes);
        f.write_attr_i64("/", "num_directed_edges", static_cast<int64_t>(g.graph.edges.size()));
        f.close();
    });
}

}  // namespace nar::data
