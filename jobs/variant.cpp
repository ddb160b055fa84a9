#include "jobs/variant.h"

namespace nar::jobs {

const std::vector<Variant>& variants() {
    static const std::vector<Variant> rows = {
        {"row1", "GNN, raw features", {{"structure", "gnn"}, {"encoding", "raw"}}},
        {"row2", "GNN, op PE", {{"structure", "gnn"}, {"encoding", "op_pe"}}},
        {"row3", "GNN, full PE", {{"structure", "gnn"}, {"encoding", "pe"}}},
        {"row4", "Transformer, dense FFN", {{"ffn", "dense"}, {"ta_enhance", "false"}}},
        {"row5", "Transformer, grouped FFN", {{"ffn", "grouped"}, {"ta_enhance", "false"}}},
        {"row6", "+ type-aware enhancement", {{"ffn", "grouped"}, {"ta_enhance", "true"}}},
    };
    return rows;
}

const Variant* find_variant(const std::string& name) {
    for (const auto& v : variants()) {
        if (v.name == name) return &v;
    }
    return nullptr;
}

}  // namespace nar::jobs
