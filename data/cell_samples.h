#pragma once
// Cells -> training/test Samples.
#include <cstdint>
#include <string>
#include <vector>

#include "data/cell.h"
#include "data/graph.h"
#include "data/tokenizer.h"

namespace nar::data {

// One Sample per position in `indices` (positions into `cells`): graph = tokenised
// cell, target = cell_target(cell, target_name) (common::Error listing the valid names
// when unknown), group = the device for "latency:<device>" targets else "", id = the
// cell's index, augmented = the tokenised ac_augment partner when with_augmentation
// and the cell has one (else an empty graph).
std::vector<Sample> build_cell_samples(const std::vector<Cell>& cells,
                                       const std::vector<int64_t>& indices,
                                       const std::string& target_name,
                                       const TokenizerOptions& tokenizer, bool with_augmentation);

}  // namespace nar::data
