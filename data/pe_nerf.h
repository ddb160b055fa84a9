#pragma once
// PE_nerf(x; k): sin(π·x·f_j), cos(π·x·f_j) for k frequencies f_j linearly spaced
// from 1 to 2^(k−1) inclusive, computed as the reference does in float32:
// a = float(float(float(x)·float(π))·float(f_j)); sin/cos evaluated in double at a
// and rounded to float (matches the reference to 1 ulp).
#include <vector>

namespace nar::data {

// float32(linspace(1, 2^(k−1), k)), numpy's formula (start + j·step, last = stop).
std::vector<float> pe_nerf_frequencies(int k);

// 2k values, interleaved per frequency: sin f0, cos f0, sin f1, cos f1, ...
void pe_nerf(float x, int k, float* out);
std::vector<float> pe_nerf(float x, int k);

// A vector v, frequency-major: sin(v·f0) for all of v, cos(v·f0) for all, sin(v·f1), ...
std::vector<float> pe_nerf_vector(const std::vector<float>& v, int k);

}  // namespace nar::data
