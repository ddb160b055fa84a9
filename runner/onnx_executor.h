#pragma once
// Runs an ONNX graph with LibTorch operators: the zoo's latency measurement. Weights
// the file strips (NNLQP style: dims, no data) are drawn at random with the declared
// shapes; BatchNormalization gets identity statistics. Inference only: eval semantics,
// no autograd. Ops outside the table are refused at construction, naming the node.
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nar::runner {

class OnnxExecutor {
  public:
    // Loads `path` and infers its shapes at `batch` (as data/onnx_model.h does).
    static OnnxExecutor from_file(const std::string& path, int64_t batch, torch::Device device,
                                  uint64_t seed = 0);
    // `model` after shape inference; `label` names it in errors.
    OnnxExecutor(const onnx::ModelProto& model, const std::string& label, torch::Device device,
                 uint64_t seed = 0);

    const std::vector<int64_t>& input_shape() const { return input_shape_; }
    torch::Tensor random_input(uint64_t seed = 1) const;
    // The graph outputs, in graph order.
    std::vector<torch::Tensor> run(const torch::Tensor& input) const;
    // Every node output by tensor name, in node order (for shape checks).
    std::vector<std::pair<std::string, torch::Tensor>> run_traced(const torch::Tensor& input) const;

    // The op types the executor runs (for messages and tests).
    static std::vector<std::string> supported_ops();

  private:
    using Slots = std::vector<torch::Tensor>;
    struct Step {
        std::function<void(Slots&)> fn;
        std::vector<int> outputs;
        std::vector<int> release;  // activations last read by this step: freed after it
    };
    std::vector<torch::Tensor> run_slots(const torch::Tensor& input, Slots* out) const;
    void plan_releases(const onnx::GraphProto& g, const std::unordered_map<std::string, int>& slot);

    std::vector<int64_t> input_shape_;
    Slots initial_;  // initializers and constants filled in; the rest empty
    int input_slot_ = -1;
    std::vector<int> output_slots_;
    std::vector<std::string> slot_names_;
    std::vector<Step> steps_;
    torch::Device device_;
};

}  // namespace nar::runner
