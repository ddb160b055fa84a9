#pragma once
// Predictor: the whole NAR-Former V2 model (or its GNN baseline) built from a
// ModelConfig. forward() takes a padded GraphBatch and returns B predictions.
//
// State-dict names (ours): blocks.<l>.attn.{qk,agg,root,deg}.*, blocks.<l>.norm.*,
// blocks.<l>.ffn.{up,down}.{weight,bias[,norm.*]}, blocks.<l>.gamma,
// sage.<l>.{agg,root}.* (GNN), head.static_proj.*, head.fusion_{hidden,out}.*,
// head.mlp.{fc1,fc2,out}.*. See model_io.h for the map from the authors' names.
#include <torch/torch.h>

#include <vector>

#include "model/accuracy_head.h"
#include "model/block.h"
#include "model/graph_batch.h"
#include "model/latency_head.h"
#include "model/model_config.h"
#include "model/sage_layer.h"
#include "model/trace.h"

namespace nar::model {

class PredictorImpl : public torch::nn::Module {
  public:
    explicit PredictorImpl(const ModelConfig& config);  // validates config
    // Returns predictions [B] (always > 0). trace, when given, is filled. In eval
    // mode the predictions are checked (check_predictions): never a silent NaN.
    torch::Tensor forward(const GraphBatch& batch, Trace* trace = nullptr);

    const ModelConfig& config() const { return config_; }

    torch::nn::ModuleList blocks{nullptr};  // transformer: Block
    torch::nn::ModuleList sage{nullptr};    // gnn: SageLayer
    LatencyHead latency_head{nullptr};
    AccuracyHead accuracy_head{nullptr};

  private:
    ModelConfig config_;
};
TORCH_MODULE(Predictor);

// Throws common::Error unless every prediction is finite and, for latency, > 0.
void check_predictions(const torch::Tensor& pred, Task task);

}  // namespace nar::model
