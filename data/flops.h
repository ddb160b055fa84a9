#pragma once
// FLOPs, parameters and memory access of an ONNX graph, following the reference's
// onnx_flops.calculate_onnx_flops including its quirks (compat mode), or corrected
// counts (fixed mode). Sums are float64 in ONNX node order, as in the reference.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "data/onnx_model.h"

namespace nar::data {

enum class FlopsMode {
    compat,  // reproduce the published numbers (Softmax rank bug, GAP = C*W, MatMul not counted...)
    fixed,   // corrected counts; also supports ConvTranspose
};

struct NodeCost {
    double flops = 0, params = 0, access = 0;
    bool counted = false;  // op type is in the FLOPs table (only these enter the totals)
};

struct FlopsTotals {
    double flops = 0, params = 0, memory_access = 0;
    std::vector<NodeCost> per_node;  // one per ONNX node, in graph order
};

// `shapes` from load_onnx_model. Throws common::Error naming `label` and the node
// for what the reference refuses (ConvTranspose in compat mode, Upsample 'bilinear').
FlopsTotals count_flops(const onnx::GraphProto& g, const ShapeMap& shapes, FlopsMode mode,
                        const std::string& label);

}  // namespace nar::data
