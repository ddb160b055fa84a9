#include "model/norm_rows.h"

#include <cmath>
#include <type_traits>
#include <vector>

#include "model/bf16_bits.h"
#include "model/row_kernels.h"

namespace nar::model::kernels {

namespace {

// The row helpers are always inlined, so that each target_clones kernel below
// compiles them at its own vector width: GCC had left input_row out of line,
// built for the default target (SSE2), at 22% of the bf16 norm's samples.

// Row r of LN's input as T: x's row itself, or (x + bias) in T written to tmp.
template <typename T, typename X>
[[gnu::always_inline]] inline const T* input_row(const NormInput<T, X>& in, int64_t r, T* tmp) {
    const X* xr = in.x.row(r);
    const T* br = in.bias ? in.bias + (r / in.rows_per_group) * in.w : nullptr;
    if constexpr (std::is_same_v<X, T>) {
        if (!br) return xr;
        for (int64_t k = 0; k < in.w; ++k) tmp[k] = xr[k] + br[k];
    } else {
        load_row(xr, tmp, in.w);
        if (br) {
            for (int64_t k = 0; k < in.w; ++k) tmp[k] += br[k];
        }
    }
    return tmp;
}

// Rows are prefetched a few KB ahead of use: the grouped FFN's down norm reads
// and writes 256 B slices of a wider matrix (2 KB apart), sparse for the
// hardware prefetcher; loading the gradient row was a quarter of the backward's
// samples, and the grouped FFN runs 7.5% faster with this (README, Performance).
constexpr int64_t kAheadBytes = 4096;

// One prefetch per 64-byte cache line of the row's n elements. (Write hints
// become plain prefetcht0 where the target lacks PRFCHW, as the clones here do.)
template <bool Write, typename E>
inline void prefetch_row(const E* p, int64_t n) {
    const auto* c = reinterpret_cast<const char*>(p);
    const int64_t bytes = n * static_cast<int64_t>(sizeof(E));
    for (int64_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o, Write);
}

// How many rows ahead: kAheadBytes of one row's width, at least one.
inline int64_t rows_ahead(int64_t w, size_t elem) {
    return std::max<int64_t>(1, kAheadBytes / (w * static_cast<int64_t>(elem)));
}

// A Y-typed row as T: itself, or widened into buf.
template <typename T, typename Y>
[[gnu::always_inline]] inline const T* as_t(const Y* p, int64_t w, T* buf) {
    if constexpr (std::is_same_v<Y, T>) {
        return p;
    } else {
        load_row(p, buf, w);
        return buf;
    }
}

// Where a Y-typed row is computed: in place when Y is T, else in buf and
// stored (rounded to bf16) by put_row.
template <typename T, typename Y>
T* out_row(Y* p, T* buf) {
    if constexpr (std::is_same_v<Y, T>) {
        return p;
    } else {
        return buf;
    }
}

// A stored element as T: itself, or a bf16 one widened.
template <typename T, typename Y>
[[gnu::always_inline]] inline T value_of(Y v) {
    if constexpr (std::is_same_v<Y, T>) {
        return v;
    } else {
        return bf16_widen(v);
    }
}

template <typename T, typename Y>
[[gnu::always_inline]] inline void put_row(const T* v, Y* p, int64_t w) {
    if constexpr (!std::is_same_v<Y, T>) store_row(v, p, w);
}

// tmp: 2·w values of T.
template <typename T, typename X, typename Y>
__attribute__((target_clones("avx512f", "avx2", "default"))) void forward_rows(
    const NormInput<T, X>& in, const T* gamma, const T* beta, RowBlock<Y> y, T* mean, T* rstd,
    T* tmp, int64_t begin, int64_t end, T eps, const Act& a) {
    const int64_t w = in.w;
    const int64_t ahead = rows_ahead(w, sizeof(X));
    for (int64_t r = begin; r < end; ++r) {
        if (r + ahead < end) {
            prefetch_row<false>(in.x.row(r + ahead), w);
            prefetch_row<true>(y.row(r + ahead), w);
        }
        const T* xr = input_row(in, r, tmp);
        T* yr = out_row<T>(y.row(r), tmp + w);
        const T mu = lane_sum(xr, w) / static_cast<T>(w);
        const T rs = T(1) / std::sqrt(lane_sq_dev(xr, mu, w) / static_cast<T>(w) + eps);
        mean[r] = mu;
        rstd[r] = rs;
        for (int64_t k = 0; k < w; ++k) {
            T z = (xr[k] - mu) * rs * gamma[k] + beta[k];
            if (a.relu && !(z > 0)) z = 0;
            yr[k] = z;
        }
        if (a.kept && a.drop) {
            apply_dropout_storing(a, yr, r * w, w);
        } else {
            apply_dropout(a, yr, r * w, w);
        }
        put_row(yr, y.row(r), w);
    }
}

// buf: 5·w values of T.
template <typename T, typename X, typename Y>
__attribute__((target_clones("avx512f", "avx2", "default"))) void backward_rows(
    RowBlock<const Y> g, const NormInput<T, X>& in, const T* gamma, const T* beta, const T* mean,
    const T* rstd, RowBlock<X> gx, T* part, T* buf, int64_t begin, int64_t end, const Act& a,
    RowBlock<const Y> y) {
    const int64_t w = in.w;
    T* gz = buf;
    T* xh = buf + w;
    T* tmp = buf + 2 * w;
    T *gg = part, *gb = part + w, *gbias = part + 2 * w;
    const int64_t ahead = rows_ahead(w, sizeof(X));
    // gx may be gy itself (norm_rows.h): then its rows are already on their way.
    const bool gx_apart =
        static_cast<const void*>(gx.row(begin)) != static_cast<const void*>(g.row(begin));
    // Without ReLU a zero output may be a kept zero, so only with it.
    const bool gate = y.base != nullptr && a.relu;
    const bool stored = a.drop && !a.relu && a.kept;  // the forward's stored keeps
    const SavedGate<T> saved_gate(a);
    for (int64_t r = begin; r < end; ++r) {
        if (r + ahead < end) {
            prefetch_row<false>(in.x.row(r + ahead), w);
            prefetch_row<false>(g.row(r + ahead), w);
            if (gx_apart) prefetch_row<true>(gx.row(r + ahead), w);
            if (gate) prefetch_row<false>(y.row(r + ahead), w);
            if (stored) prefetch_row<false>(a.kept + (r + ahead) * w, w);
        }
        const T* xr = input_row(in, r, tmp);
        const T* gr = as_t(g.row(r), w, buf + 3 * w);
        const T mu = mean[r], rs = rstd[r];
        if (gate) {
            const Y* yr = y.row(r);
            for (int64_t k = 0; k < w; ++k) {
                xh[k] = (xr[k] - mu) * rs;
                gz[k] = saved_gate(gr[k], value_of<T>(yr[k]));
            }
        } else if (stored) {
            const uint8_t* kr = a.kept + r * w;
            for (int64_t k = 0; k < w; ++k) {
                xh[k] = (xr[k] - mu) * rs;
                gz[k] = saved_gate.stored(gr[k], kr[k]);
            }
        } else {
            for (int64_t k = 0; k < w; ++k) {
                xh[k] = (xr[k] - mu) * rs;
                T d = gr[k];
                if (a.relu && !(xh[k] * gamma[k] + beta[k] > 0)) d = 0;
                gz[k] = d;
            }
            apply_dropout(a, gz, r * w, w);
        }
        for (int64_t k = 0; k < w; ++k) {
            gg[k] += gz[k] * xh[k];
            gb[k] += gz[k];
            gz[k] *= gamma[k];  // now ∂L/∂x̂
        }
        const T m1 = lane_sum(gz, w) / static_cast<T>(w);
        const T m2 = lane_dot(gz, xh, w) / static_cast<T>(w);
        T* gxr = out_row<T>(gx.row(r), buf + 4 * w);
        for (int64_t k = 0; k < w; ++k) gxr[k] = rs * (gz[k] - m1 - xh[k] * m2);
        if (in.bias) {
            for (int64_t k = 0; k < w; ++k) gbias[k] += gxr[k];
        }
        put_row(gxr, gx.row(r), w);
    }
}

}  // namespace

template <typename T, typename X, typename Y>
void norm_rows_forward(const NormInput<T, X>& in, const T* gamma, const T* beta, RowBlock<Y> y,
                       T* mean, T* rstd, int64_t begin, int64_t end, T eps, const Act& a) {
    std::vector<T> tmp(static_cast<size_t>(2 * in.w));
    forward_rows(in, gamma, beta, y, mean, rstd, tmp.data(), begin, end, eps, a);
}

template <typename T, typename X, typename Y>
void norm_rows_backward(RowBlock<const Y> gy, const NormInput<T, X>& in, const T* gamma,
                        const T* beta, const T* mean, const T* rstd, RowBlock<X> gx, T* part,
                        int64_t begin, int64_t end, const Act& a, RowBlock<const Y> y) {
    std::vector<T> buf(static_cast<size_t>(5 * in.w));
    backward_rows(gy, in, gamma, beta, mean, rstd, gx, part, buf.data(), begin, end, a, y);
}

// The storage combinations in use: float32 and float64 throughout; bf16 x with
// float math and a float or bf16 y.
#define NAR_NORM_ROWS(T, X, Y)                                                                     \
    template void norm_rows_forward<T, X, Y>(const NormInput<T, X>&, const T*, const T*,           \
                                             RowBlock<Y>, T*, T*, int64_t, int64_t, T,             \
                                             const Act&);                                          \
    template void norm_rows_backward<T, X, Y>(RowBlock<const Y>, const NormInput<T, X>&, const T*, \
                                              const T*, const T*, const T*, RowBlock<X>, T*,       \
                                              int64_t, int64_t, const Act&, RowBlock<const Y>);
NAR_NORM_ROWS(float, float, float)
NAR_NORM_ROWS(double, double, double)
NAR_NORM_ROWS(float, uint16_t, uint16_t)
NAR_NORM_ROWS(float, uint16_t, float)
#undef NAR_NORM_ROWS

}  // namespace nar::model::kernels
