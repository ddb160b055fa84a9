#pragma once
// Turns data::Graph samples into a padded model::GraphBatch.
#include <torch/torch.h>

#include <vector>

#include "data/graph.h"
#include "model/graph_batch.h"

namespace nar::runner {

// Pads `graphs` to the largest node count. All graphs must share feat_dim and
// static size (common::Error otherwise). Built on the CPU in `dtype`, then
// moved to `device`.
model::GraphBatch collate(const std::vector<const data::Graph*>& graphs, torch::Dtype dtype,
                          const torch::Device& device);

}  // namespace nar::runner
