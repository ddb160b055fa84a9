#pragma once
// Emits an ONNX graph (opset 11, like torchvision's export) node by node while
// tracking tensor shapes, so the families describe networks as torchvision code
// does. Weights are stripped the NNLQP way: initializers keep their dims, no data.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nar::data::zoo {

struct Tensor {
    std::string name;
    std::vector<int64_t> dims;  // NCHW (or N×F after Flatten)
    int64_t c() const { return dims.at(1); }
    int64_t h() const { return dims.at(2); }
    int64_t w() const { return dims.at(3); }
};

struct ConvSpec {
    int64_t out = 0, kernel = 1, stride = 1, pad = -1;  // pad -1: kernel / 2
    int64_t group = 1, dilation = 1;
    bool bias = false;  // a conv bias of its own (no BatchNormalization after it)
};

class GraphBuilder {
  public:
    // fold_bn: Conv+BatchNormalization become one Conv with bias, as torch.onnx.export
    // does in eval mode (the golden files, NNLQP's graphs). Otherwise both are emitted.
    GraphBuilder(std::string name, bool fold_bn);

    Tensor input(int64_t batch, int64_t c, int64_t h, int64_t w);
    Tensor conv(const Tensor& x, const ConvSpec& spec);
    // Conv then BatchNormalization (or the folded Conv with bias).
    Tensor conv_bn(const Tensor& x, const ConvSpec& spec);
    Tensor batch_norm(const Tensor& x);
    Tensor relu(const Tensor& x);
    Tensor relu6(const Tensor& x);  // Clip(0, 6) with Constant bounds, as exported
    Tensor sigmoid(const Tensor& x);
    Tensor hard_sigmoid(const Tensor& x);          // torch's: alpha 1/6, beta 0.5
    Tensor hard_swish(const Tensor& x);            // x * HardSigmoid(x)
    Tensor swish(const Tensor& x);                 // x * Sigmoid(x) (SiLU)
    Tensor mul(const Tensor& a, const Tensor& b);  // broadcasting N×C×1×1 on the right
    Tensor add(const Tensor& a, const Tensor& b);
    Tensor concat(const std::vector<Tensor>& xs);  // on channels
    std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes);
    Tensor max_pool(const Tensor& x, int64_t k, int64_t stride, int64_t pad,
                    bool ceil_mode = false);
    Tensor avg_pool(const Tensor& x, int64_t k, int64_t stride, int64_t pad,
                    bool ceil_mode = false);
    Tensor global_avg_pool(const Tensor& x);
    Tensor reduce_mean_hw(const Tensor& x);  // x.mean([2, 3]) as exported: N×C
    Tensor flatten(const Tensor& x);
    Tensor gemm(const Tensor& x, int64_t out);  // x [N, F], weight [out, F], bias
    Tensor scalar(float v);                     // a Constant (carries its value)
    Tensor dropout(const Tensor& x);            // eval export drops it: identity, no node
    Tensor channel_shuffle(const Tensor& x, int64_t groups);  // Reshape, Transpose, Reshape

    // Finishes the graph with `y` as its output "output" and returns the model.
    onnx::ModelProto finish(const Tensor& y);

  private:
    std::string fresh(const std::string& op);
    onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::string& output);
    std::string weight(const std::vector<int64_t>& dims);
    std::string constant_f32(float v);
    std::string constant_i64(const std::vector<int64_t>& v);
    Tensor pool(const std::string& op, const Tensor& x, int64_t k, int64_t stride, int64_t pad,
                bool ceil_mode);
    Tensor unary(const std::string& op, const Tensor& x);

    onnx::ModelProto model_;
    onnx::GraphProto* graph_;
    bool fold_bn_;
    int counter_ = 0;
};

// Output size of a convolution/pooling window along one axis.
int64_t window_out(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation,
                   bool ceil_mode);

// torchvision's _make_divisible: round to a multiple of `divisor`, never below 90%.
int64_t make_divisible(double v, int64_t divisor = 8);

}  // namespace nar::data::zoo
