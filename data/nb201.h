#pragma once
// NAS-Bench-201 cells: 8 nodes (input, the six edge operations in cell-string order,
// output) on a fixed directed graph; targets from the bundled CSVs.
#include <string>
#include <vector>

#include "data/cell.h"

namespace nar::data {

// Labels: input 0, nor_conv_1x1 1, nor_conv_3x3 2, avg_pool_3x3 3, skip_connect 4,
// none 5, output 6.
inline constexpr int kNb201NumLabels = 7;
inline constexpr int kNb201Nodes = 8;

// The 8 node labels of "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"; throws common::Error
// (without file context) when the string is malformed.
std::vector<int> nb201_ops_from_string(const std::string& arch);

// Fixed 8×8 directed adjacency: 0→1, 0→2, 0→4, 1→3, 1→5, 2→6, 3→6, 4→7, 5→7, 6→7.
std::vector<uint8_t> nb201_adjacency();

Cell nb201_cell(int64_t index, const std::string& arch);

// Loads cells from the accuracy CSV (targets accuracy:cifar10, accuracy:cifar100,
// accuracy:imagenet16-120 as fractions) and/or the latency CSV (latency:<device column>,
// ms). Either path may be empty, not both; with both, the files must list the same cells.
// The result is ordered by NAS-Bench-201 index (cells[i].index == i).
std::vector<Cell> load_nb201(const std::string& accuracy_csv, const std::string& latency_csv);

// Both bundled files (nb201/nb201_cifar_accuracy.csv, nb201/nb201_latency_27_devices.csv).
std::vector<Cell> load_nb201_bundled();

}  // namespace nar::data
