#pragma once
// Helpers shared by the model tests: reading golden tensors and comparing
// with a tolerance relative to the reference tensor's max-abs value.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "common/h5.h"

namespace nar::model::test {

inline std::string fixture(const std::string& rel) { return std::string(NAR_FIXTURES) + "/" + rel; }

inline torch::Tensor read_tensor(const common::H5File& f, const std::string& name,
                                 torch::Dtype dtype = torch::kFloat64) {
    common::Shape shape;
    auto v = f.read_f64(name, &shape);
    std::vector<int64_t> s(shape.begin(), shape.end());
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kFloat64)
        .clone()
        .view(s)
        .to(dtype);
}

inline torch::Tensor read_long(const common::H5File& f, const std::string& name) {
    common::Shape shape;
    auto v = f.read_i64(name, &shape);
    std::vector<int64_t> s(shape.begin(), shape.end());
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kInt64)
        .clone()
        .view(s);
}

// |ours - ref| <= rel * max|ref|, or <= abs.
inline ::testing::AssertionResult close(const torch::Tensor& ours, const torch::Tensor& ref,
                                        double rel, double abs) {
    auto a = ours.detach().to(torch::kFloat64).cpu();
    auto b = ref.detach().to(torch::kFloat64).cpu();
    if (a.sizes() != b.sizes()) {
        return ::testing::AssertionFailure()
               << "shape " << a.sizes() << " vs reference " << b.sizes();
    }
    const double diff = a.numel() ? (a - b).abs().max().item<double>() : 0.0;
    const double scale = b.numel() ? b.abs().max().item<double>() : 0.0;
    if (diff <= rel * scale || diff <= abs) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "max|diff| " << diff << " > " << rel << " * max|ref| "
                                         << scale << " (and > " << abs << ")";
}

}  // namespace nar::model::test
