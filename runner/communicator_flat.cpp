#include "runner/communicator_flat.h"

#include <map>

namespace nar::runner {

namespace {

std::vector<FlatBuffer> pack(const std::vector<torch::Tensor>& tensors) {
    // Group by dtype, keeping parameter order inside each group; std::map
    // orders the groups identically on every rank.
    std::map<int, std::vector<torch::Tensor>> groups;
    for (const auto& t : tensors) groups[static_cast<int>(t.scalar_type())].push_back(t);
    std::vector<FlatBuffer> out;
    for (auto& [dtype, ts] : groups) {
        (void)dtype;
        std::vector<torch::Tensor> pieces;
        pieces.reserve(ts.size());
        for (const auto& t : ts) pieces.push_back(t.detach().reshape({-1}));
        out.push_back({torch::cat(pieces).contiguous(), ts});
    }
    return out;
}

}  // namespace

std::vector<FlatBuffer> flatten_gradients(const std::vector<torch::Tensor>& params) {
    std::vector<torch::Tensor> grads;
    grads.reserve(params.size());
    for (const auto& p : params) {
        auto& g = const_cast<torch::Tensor&>(p).mutable_grad();
        if (!g.defined()) g = torch::zeros_like(p);
        grads.push_back(g);
    }
    return pack(grads);
}

std::vector<FlatBuffer> flatten_values(const std::vector<torch::Tensor>& params) {
    return pack(params);
}

void unflatten(const FlatBuffer& buf) {
    torch::NoGradGuard no_grad;
    int64_t offset = 0;
    for (const auto& t : buf.targets) {
        const int64_t n = t.numel();
        t.detach().copy_(buf.flat.narrow(0, offset, n).view(t.sizes()));
        offset += n;
    }
}

}  // namespace nar::runner
