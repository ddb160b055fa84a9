#include "data/zoo/zoo_stats.h"

#include <unordered_map>
#include <unordered_set>

#include "common/error.h"

namespace nar::data::zoo {

namespace {

int64_t elements(const std::vector<int64_t>& d) {
    int64_t n = 1;
    for (int64_t v : d) n *= v;
    return n;
}

}  // namespace

NetStats net_stats(const onnx::GraphProto& g, const ShapeMap& shapes) {
    std::unordered_set<std::string> buffers;  // BN running mean/var: buffers, not parameters
    for (const auto& n : g.node())
        if (n.op_type() == "BatchNormalization" && n.input_size() == 5) {
            buffers.insert(n.input(3));
            buffers.insert(n.input(4));
        }
    std::unordered_map<std::string, std::vector<int64_t>> init;
    NetStats s;
    for (const auto& t : g.initializer()) {
        std::vector<int64_t> d(t.dims().begin(), t.dims().end());
        if (!buffers.count(t.name())) s.params += elements(d);
        init[t.name()] = d;
    }
    auto shape_of = [&](const std::string& name) -> std::vector<int64_t> {
        auto it = shapes.find(name);
        if (it == shapes.end() || !it->second)
            throw common::Error("zoo stats: no shape for tensor '" + name + "'");
        return it->second->dims;
    };
    for (const auto& n : g.node()) {
        if (n.op_type() == "Conv") {
            const auto& w = init.at(n.input(1));
            s.macs += elements(shape_of(n.output(0))) * (w[1] * w[2] * w[3]);
        } else if (n.op_type() == "Gemm") {
            const auto& w = init.at(n.input(1));
            s.macs += elements(shape_of(n.output(0))) * w[1];
        }
    }
    return s;
}

}  // namespace nar::data::zoo
