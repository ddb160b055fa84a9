#pragma once
// ONNX network -> model input (nar::data::Graph), exactly as the NAR-Former V2
// reference's extract_graph_feature(path, batch, 'trans') builds it: one node per
// operator output, edges by op type, known tensors as `Input` nodes, networkx 2.8.8
// topological order, features from data/onnx_features.h, FLOPs from data/flops.h.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/flops.h"
#include "data/graph.h"
#include "data/onnx_features.h"

namespace nar::data {

struct ExtractOptions {
    NodeEncoding encoding = NodeEncoding::pe;
    FlopsMode flops = FlopsMode::compat;
    // Turn operators outside the reference's op table (zero one-hot rows, e.g.
    // MatMul, Resize, Pad, Identity) into an error instead of a warning.
    bool strict = false;
};

struct OnnxGraph {
    Graph graph;                           // x in reference node order, edges sorted (src, dst)
    std::vector<std::string> node_names;   // tensor names, same order as graph.x rows
    std::vector<std::string> op_types;     // node types ("Input" for source tensors)
    std::array<double, 4> static_raw{};    // batch, FLOPs, params, memory access (unscaled)
    std::vector<std::string> unknown_ops;  // distinct op types with an all-zero one-hot row
    int64_t onnx_nodes = 0;                // operators in the ONNX graph
};

// Reads `path` and extracts at `batch`. Throws common::Error naming the file (and
// the node) for unreadable/non-ONNX files, failed shape inference, dynamic shapes,
// attributes the reference refuses (non-2-D kernels, 8-value Pad pads), ConvTranspose
// in compat FLOPs mode, and unknown operators when options.strict.
OnnxGraph extract_onnx_graph(const std::string& path, int64_t batch,
                             const ExtractOptions& options = {});

// Same, from the file's bytes already in memory (`label` names it in messages).
OnnxGraph extract_onnx_graph_from_bytes(const std::string& bytes, const std::string& label,
                                        int64_t batch, const ExtractOptions& options = {});

}  // namespace nar::data
