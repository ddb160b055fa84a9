#pragma once
// Whole groups per thread, each group's GEMMs on a one-thread BLAS: the
// grouped products' threading (model/group_matmul.*, model/grouped_ffn.*;
// why, in group_matmul.h).
#include <cstdint>
#include <functional>

namespace nar::model {

// f(g) for g in [0, groups), spread over LibTorch's intra-op threads (in turn
// on one), with OpenBLAS held to one thread meanwhile and grad mode off.
void for_each_group(int64_t groups, const std::function<void(int64_t)>& f);

}  // namespace nar::model
