#pragma once
// Model files and the authors' weights.
//
// A model file (HDF5) holds: root attribute `format` = "nar-model-1", root
// attribute `config` = ModelConfig::to_text(), root attribute `dtype` =
// "float32"|"float64", and one dataset `params/<name>` per parameter, named by
// our state-dict name (see predictor.h). It is written to <path>.tmp and then
// renamed, so a reader never sees a half-written file.
//
// Reference (authors' state_dict) name -> our name, used by load_reference_state
// (l = layer index):
//
//   | reference name                                   | ours                          |
//   |--------------------------------------------------|-------------------------------|
//   | gnn_layers.l.lin_qk.{weight,bias}                | blocks.l.attn.qk.*            |
//   | gnn_layers.l.lin_l.{weight,bias}                 | blocks.l.attn.agg.*           |
//   | gnn_layers.l.lin_r.weight                        | blocks.l.attn.root.weight     |
//   | gnn_layers.l.lin_d.{weight,bias}                 | blocks.l.attn.deg.*           |
//   | FFN_layers.l.norm.{weight,bias}                  | blocks.l.norm.*               |
//   | FFN_layers.l.fn.net.0.weights                    | blocks.l.ffn.up.weight        |
//   | FFN_layers.l.fn.net.0.bias                       | blocks.l.ffn.up.bias          |
//   | FFN_layers.l.fn.net.0.normalization_fn.{w,b}     | blocks.l.ffn.up.norm.*        |
//   | FFN_layers.l.fn.net.3.weights                    | blocks.l.ffn.down.weight      |
//   | FFN_layers.l.fn.net.3.bias                       | blocks.l.ffn.down.bias        |
//   | FFN_layers.l.fn.net.3.normalization_fn.{w,b}     | blocks.l.ffn.down.norm.*      |
//   | layer_scale.l                                    | blocks.l.gamma                |
//   | norm_sf_linear.{weight,bias}                     | head.static_proj.*            |
//   | fusion_mlp.0.{weight,bias}                       | head.fusion_hidden.*          |
//   | fusion_mlp.2.{weight,bias}                       | head.fusion_out.*             |
//   | fc_1.{weight,bias}                               | head.mlp.fc1.*                |
//   | fc_2.{weight,bias}                               | head.mlp.fc2.*                |
//   | predictor.{weight,bias}                          | head.mlp.out.*                |
//
// Shapes are identical on both sides (GroupLinear keeps [g,in/g,out/g] weights
// and [g,1,out/g] biases), so values copy over unchanged.
#include <string>
#include <utility>

#include "common/h5.h"
#include "model/model_config.h"
#include "model/predictor.h"

namespace nar::model {

inline constexpr const char* kModelFormat = "nar-model-1";

void save_model(const std::string& path, const ModelConfig& config, Predictor& model);

// Rebuilds the model (in the dtype it was saved in, on CPU) and loads its parameters.
std::pair<ModelConfig, Predictor> load_model(const std::string& path);

// The table above; throws common::Error for a name it does not know.
std::string reference_to_ours(const std::string& reference_name);

// Copies every dataset of `group` in a golden/reference file into the model
// (converted to each parameter's dtype and device). Every model parameter must
// be set exactly once; shapes must match.
void load_reference_state(Predictor& model, const common::H5File& file,
                          const std::string& group = "params");

}  // namespace nar::model
