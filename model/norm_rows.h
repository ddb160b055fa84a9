#pragma once
// The LayerNorm row kernels behind norm_act_dropout and the fused grouped FFN:
// drop(act(LN(x + bias)·γ + β)) over a range of rows, forward and backward.
// Row indices are global: they pick the row statistics, the bias group and the
// dropout mask (row r covers mask elements [r·w, (r + 1)·w)), so a block of a
// larger tensor gets exactly the values the whole tensor would.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "model/row_act.h"

namespace nar::model::kernels {

// Rows of a matrix: row r at base + (r - first)·ld.
template <typename E>
struct RowBlock {
    E* base;
    int64_t ld;
    int64_t first = 0;
    E* row(int64_t r) const { return base + (r - first) * ld; }
};

// LN's input: x (T, or bf16 bits widened to T = float) plus, when bias is set
// (G×w), bias row r / rows_per_group.
template <typename T, typename X>
struct NormInput {
    RowBlock<const X> x;
    const T* bias;
    int64_t rows_per_group;
    int64_t w;
};

// y rows [begin, end) and their mean and rstd (indexed by global row).
template <typename T, typename X, typename Y>
void norm_rows_forward(const NormInput<T, X>& in, const T* gamma, const T* beta, RowBlock<Y> y,
                       T* mean, T* rstd, int64_t begin, int64_t end, T eps, const Act& a);

// gx rows [begin, end) from gy; adds these rows' γ, β and bias gradients to
// part[0, w), [w, 2w), [2w, 3w). gx may be gy itself when X == Y (each row is
// read before it is written). y, when set (with a.relu), is the forward's own
// output (float, or bf16 bits read widened; ReLU and dropout write +0, never
// -0): y ≠ 0 exactly where ReLU passed and dropout kept, so that gate is read
// instead of recomputed and the mask's hash is not drawn again (the same
// values, up to the sign of zero gradients).
template <typename T, typename X, typename Y>
void norm_rows_backward(RowBlock<const Y> gy, const NormInput<T, X>& in, const T* gamma,
                        const T* beta, const T* mean, const T* rstd, RowBlock<X> gx, T* part,
                        int64_t begin, int64_t end, const Act& a,
                        RowBlock<const Y> y = {nullptr, 0});

// Backward chunks of at most 256 rows: fixed by the shape (not the thread
// count, so the summed partials are reproducible), never spanning two bias
// groups.
struct NormChunks {
    int64_t groups, rows_per_group, per_group, per;
    NormChunks(int64_t rows, int64_t g) : groups(g), rows_per_group(rows / g) {
        per_group = std::max<int64_t>(1, (rows_per_group + 255) / 256);
        per = (rows_per_group + per_group - 1) / per_group;
    }
    int64_t count() const { return groups * per_group; }
    std::pair<int64_t, int64_t> range(int64_t c) const {
        const int64_t start = (c / per_group) * rows_per_group;
        const int64_t b = start + (c % per_group) * per;
        return {b, std::min(start + rows_per_group, b + per)};
    }
};

}  // namespace nar::model::kernels
