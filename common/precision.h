#pragma once
// The number format of the model's large matrix products (parameter
// `precision`): float32, or bfloat16 products of float32 weights and
// activations (model/matmul_precision.h applies it).
#include <string>
#include <vector>

namespace nar::common {

enum class Precision { Float32, BF16 };

// The names, in the enum's order: the only list (parameter table, errors, benchmarks).
const std::vector<std::string>& precision_names();
const std::string& precision_name(Precision p);
// An unknown name is a common::Error listing the known ones.
Precision parse_precision(const std::string& name);

}  // namespace nar::common
