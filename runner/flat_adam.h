#pragma once
// FlatAdam: torch::optim::Adam over one flat buffer. The parameters and both
// moments become views into contiguous tensors, so a step is one fused pass
// over memory instead of ~10 elementwise ops per parameter (Adam took 30 of a
// 95 ms accuracy step with ~120 parameters). The gradients start as views of a
// fourth buffer; after release_gradients() the pass reads autograd's own.
// A drop-in subclass: param groups, lr changes, save/load and the
// AdamParamState entries stay those of torch::optim::Adam (the states' tensors
// are views of the flat moments). Falls back to Adam::step() where the fused
// pass would differ: amsgrad, several groups or dtypes, a parameter without a
// gradient, or parameters at different step counts.
#include <torch/torch.h>

#include <vector>

namespace nar::runner {

// Leaves every parameter without a gradient (PyTorch's zero_grad(set_to_none)):
// the next backward then hands its fresh gradient tensors over instead of adding
// them into zeroed ones (two passes over all gradients), and FlatAdam reads
// them where they are.
void release_gradients(torch::optim::Optimizer& opt);

class FlatAdam : public torch::optim::Adam {
  public:
    FlatAdam(const std::vector<torch::Tensor>& params, torch::optim::AdamOptions options);

    torch::Tensor step(LossClosure closure = nullptr) override;
    void load(torch::serialize::InputArchive& archive) override;

    bool flat() const { return flat_; }
    // The gradients' flat buffer: where they live until release_gradients()
    // (then autograd's own tensors are read); undefined unless flat().
    const torch::Tensor& flat_grad() const { return grad_; }

  private:
    void adopt_state();  // points (new) AdamParamStates at the flat moments
    bool fused_possible();

    bool flat_ = false;
    torch::Tensor value_, grad_, exp_avg_, exp_avg_sq_;
    std::vector<int64_t> offset_;
};

}  // namespace nar::runner
