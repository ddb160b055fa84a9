#pragma once
// PE_trans: the transformer-style sinusoidal encoding of the NNLQP features.
// Computed in float32 like the reference (numpy float32 arithmetic): the
// argument a = float(float(x) * float(f_j)) is formed in float, sin/cos are
// evaluated in double and rounded. Double math throughout differs by up to 1e-4.
#include <cstddef>

namespace nar::data {

// f_j = 1 / 10000^(j/k), rounded to float.
float pe_trans_freq(int j, int k);

// out[2j] = sin(x f_j), out[2j+1] = cos(x f_j), j = 0..k-1 (2k numbers).
void pe_trans(float x, int k, float* out);

// A vector v (n values), frequency-major: sin(v f_0) (n), cos(v f_0) (n),
// sin(v f_1), ... (2kn numbers).
void pe_trans_vector(const float* v, size_t n, int k, float* out);

}  // namespace nar::data
