#pragma once
// Parameter counts of a Predictor, by part (for `nar model info` and logs).
#include <cstdint>

#include "model/predictor.h"

namespace nar::model {

struct ParamCounts {
    int64_t attention = 0;    // attention layers (or GraphSAGE layers)
    int64_t ffn_norm = 0;     // LayerNorm before each FFN
    int64_t ffn = 0;          // FFNs (grouped or dense)
    int64_t layer_scale = 0;  // γ
    int64_t static_proj = 0;  // static-feature projection (latency)
    int64_t fusion = 0;       // layer-fusion MLP (accuracy)
    int64_t head = 0;         // fc1, fc2, out
    int64_t total = 0;
};

ParamCounts count_parameters(Predictor& model);

}  // namespace nar::model
