#pragma once
// The model input of one ONNX network as an HDF5 file, in the golden files'
// layout (node_names, op_types, x, edges, static, static_raw, unknown_ops and
// root attributes onnx_file, batch_size, encoding, flops_mode, num_nodes,
// num_directed_edges). Written atomically.
#include <string>

#include "data/onnx_graph.h"

namespace nar::data {

void write_feature_file(const std::string& path, const OnnxGraph& g, const std::string& onnx_file,
                        int64_t batch, const ExtractOptions& options);

}  // namespace nar::data
