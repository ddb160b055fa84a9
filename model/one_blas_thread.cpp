#include "model/one_blas_thread.h"

extern "C" int openblas_get_num_threads(void) __attribute__((weak));
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace nar::model {

OneBlasThread::OneBlasThread() {
    if (openblas_get_num_threads != nullptr && openblas_set_num_threads != nullptr) {
        saved_ = openblas_get_num_threads();
        if (saved_ > 1) openblas_set_num_threads(1);
    }
}

OneBlasThread::~OneBlasThread() {
    if (saved_ > 1) openblas_set_num_threads(saved_);
}

}  // namespace nar::model
