#pragma once
// Sizes of a generated graph as torchvision's published tables count them.
#include <onnx/onnx_pb.h>

#include <cstdint>

#include "data/onnx_model.h"

namespace nar::data::zoo {

struct NetStats {
    int64_t params = 0;  // initializer elements, BatchNormalization running stats excluded
    int64_t macs = 0;    // multiply-adds of Conv and Gemm
};

// `shapes` from load_onnx_model of the same graph.
NetStats net_stats(const onnx::GraphProto& g, const ShapeMap& shapes);

}  // namespace nar::data::zoo
