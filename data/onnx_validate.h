#pragma once
// Checks of an ONNX graph's attributes and shapes that ONNX shape inference
// does not make (or crashes on: strides 0 divides by zero inside it). A network
// that fails them would give negative sizes and absurd FLOPs, so it is refused
// with the node's name instead of being encoded.
#include <onnx/onnx_pb.h>

#include <string>

#include "data/onnx_model.h"

namespace nar::data {

// Before shape inference: graph input dims (other than the batch) positive,
// initializer dims non-negative, and for Conv/ConvTranspose/pooling nodes
// kernel_shape, strides and dilations positive, pads and output_padding
// non-negative, group at least 1. Throws common::Error naming `label` and the node.
void validate_onnx_attributes(const onnx::GraphProto& g, const std::string& label);

// After shape inference: no negative dims, no zero dims in operator outputs,
// element counts that fit int64; Conv channels positive and divisible by group
// and matching the weight; (dilated) kernels no larger than the padded input.
void validate_onnx_shapes(const onnx::GraphProto& g, const ShapeMap& shapes,
                          const std::string& label);

}  // namespace nar::data
