#include "model/init.h"

#include <cmath>

namespace nar::model {

void reference_linear_init(torch::nn::Linear& linear) {
    torch::NoGradGuard no_grad;
    const double in = static_cast<double>(linear->weight.size(1));
    const double wb = 1.0 / std::sqrt(in);
    linear->weight.uniform_(-wb, wb);
    if (linear->bias.defined()) {
        const double bb = 1.0 / std::sqrt(static_cast<double>(linear->bias.size(0)));
        linear->bias.uniform_(-bb, bb);
    }
}

}  // namespace nar::model
