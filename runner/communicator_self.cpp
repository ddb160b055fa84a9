#include <memory>

#include "runner/communicator.h"

namespace nar::runner {

namespace {

// A group of one rank: every collective is the identity.
class SelfCommunicator final : public Communicator {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::string backend() const override { return "self"; }
    void allreduce_gradients(const std::vector<torch::Tensor>&) override {}
    void allreduce_sum(std::vector<double>&) override {}
    void broadcast_parameters(const std::vector<torch::Tensor>&) override {}
    void barrier() override {}
};

}  // namespace

std::unique_ptr<Communicator> make_self_communicator() {
    return std::make_unique<SelfCommunicator>();
}

}  // namespace nar::runner
