#include "model/group_threads.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

extern "C" int openblas_get_num_threads(void) __attribute__((weak));
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace nar::model {

namespace {

// OpenBLAS on one thread for a scope, while our threads each run their own
// GEMMs: its pool would otherwise split every call again (or queue the calls
// behind one another). Restored on exit, exceptions included; nothing when the
// BLAS is not OpenBLAS.
class OneBlasThread {
  public:
    OneBlasThread() {
        if (openblas_get_num_threads != nullptr && openblas_set_num_threads != nullptr) {
            saved_ = openblas_get_num_threads();
            if (saved_ > 1) openblas_set_num_threads(1);
        }
    }
    ~OneBlasThread() {
        if (saved_ > 1) openblas_set_num_threads(saved_);
    }
    OneBlasThread(const OneBlasThread&) = delete;
    OneBlasThread& operator=(const OneBlasThread&) = delete;

  private:
    int saved_ = 0;
};

}  // namespace

void for_each_group(int64_t groups, const std::function<void(int64_t)>& f) {
    const OneBlasThread one;
    at::parallel_for(0, groups, 1, [&](int64_t lo, int64_t hi) {
        // Grad mode is per thread: off in the caller (inside an autograd
        // Function), on by default in OpenMP's workers.
        const torch::NoGradGuard no_grad;
        for (int64_t g = lo; g < hi; ++g) f(g);
    });
}

}  // namespace nar::model
