#pragma once
// Loading an ONNX file and inferring its tensor shapes the way the NAR-Former V2
// reference does (graph_feature.parse_from_onnx + onnx_shape_infer): set the batch
// dimension of the graph inputs/outputs, drop value_info, run ONNX shape inference
// (not strict), then collect one shape per tensor name.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nar::data {

struct TensorShape {
    std::vector<int64_t> dims;  // unknown/symbolic dims read as 0, like the reference
    bool dynamic = false;       // some dim had no concrete value
};

// Tensor name -> shape. std::nullopt plays the reference's `None`: a rank-0 or
// shapeless value (which counts as "shape not inferred" for op outputs).
using ShapeMap = std::unordered_map<std::string, std::optional<TensorShape>>;

struct InferredModel {
    onnx::ModelProto model;  // after batch change and shape inference
    ShapeMap shapes;
};

// Whole file as bytes; throws common::Error naming the file when it cannot be read.
std::string read_file_bytes(const std::string& path);

// Parses `bytes` (the contents of file `label`) and infers shapes at `batch`.
// Throws common::Error naming `label` for a truncated or non-ONNX file, a shape
// inference failure, or op outputs whose shapes cannot be inferred (naming the nodes).
InferredModel load_onnx_model(const std::string& bytes, const std::string& label, int64_t batch);

}  // namespace nar::data
