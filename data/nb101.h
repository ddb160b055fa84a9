#pragma once
// NAS-Bench-101 cells from the bundled CSVs or the official nasbench_only108.tfrecord.
#include <string>
#include <vector>

#include "data/cell.h"

namespace nar::data {

// Labels: input 0, conv1x1-bn-relu 1, conv3x3-bn-relu 2, maxpool3x3 3, output 4.
inline constexpr int kNb101NumLabels = 5;
inline constexpr int kNb101MaxNodes = 7;

// Throws common::Error (without file context) for an unknown op name.
int nb101_label(const std::string& op);

// A CSV in either bundled format, told apart by its header:
//  - nasbench-vis (nb101_1k.csv): nb101_hash, num_vertices, adjacency_rowmajor, ops,
//    val_acc_108ep (fraction), params;
//  - NASLib (nb101_500.csv): nb101_hash, adjacency_7x7_rowmajor, ops, val_accuracy (%),
//    params_M.
// Targets: accuracy:validation (fraction), params. Cell index = row position.
std::vector<Cell> load_nb101_csv(const std::string& path);

// The official TFRecord: keeps records with `epochs` training epochs, groups the
// repeats per module hash (first-appearance order) and averages the final
// (last evaluation_data) validation and test accuracy. Targets: accuracy:validation,
// accuracy:test, params. Cell index = position.
std::vector<Cell> load_nb101_tfrecord(const std::string& path, int64_t epochs = 108);

// Several files (*.tfrecord or CSV), concatenated; index = position in the result.
// A module hash listed twice is an error.
std::vector<Cell> load_nb101(const std::vector<std::string>& paths);

// nb101/nb101_1k.csv then nb101/nb101_500.csv (1,500 cells).
std::vector<Cell> load_nb101_bundled();

}  // namespace nar::data
