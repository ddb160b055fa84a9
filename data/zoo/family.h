#pragma once
// The zoo's network families. Each family is one function that describes its network
// the way torchvision's code does and asks a Draw for every sampled choice (channel
// multiplier, kernel size, expansion ratio): with no sampler the Draw answers the
// defaults, which gives the torchvision network itself (model 0); with a sampler it
// draws from the family's nn-Meter space. The list of families is zoo_families().
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/zoo/sampling_space.h"

namespace nar::data::zoo {

struct NetOptions {
    int64_t batch = 1;
    int64_t input = 224;  // square input side (the nasbench201 family always uses 32)
    int64_t classes = 1000;
    bool fold_bn = true;  // Conv+BN as one Conv with bias, like an eval-mode export
};

class Draw {
  public:
    Draw() = default;  // defaults only: the torchvision network
    Draw(const SamplingSpace* space, Sampler* sampler) : space_(space), sampler_(sampler) {}
    bool sampling() const { return sampler_ != nullptr; }
    // A choice from dimension `dim` of the space, or `dflt` when not sampling.
    double pick(const std::string& dim, double dflt);
    int64_t pick_int(const std::string& dim, int64_t dflt);
    // One of n variants (0 when not sampling).
    size_t variant(size_t n);
    // Every draw made so far, in order: two networks with the same key are duplicates.
    const std::string& key() const { return key_; }

  private:
    const SamplingSpace* space_ = nullptr;
    Sampler* sampler_ = nullptr;
    std::string key_;
};

using FamilyBuilder =
    std::function<onnx::ModelProto(const std::string& variant, Draw& draw, const NetOptions&)>;

struct FamilyDef {
    std::string name;
    std::string space;                  // bundled YAML: "nnmeter-generator/x.yaml" or "zoo/x.yaml"
    std::vector<std::string> variants;  // torchvision network names; variants[0] is model 0
    FamilyBuilder build;
};

const std::vector<FamilyDef>& zoo_families();

// Throws common::Error naming the family and listing the known ones.
const FamilyDef& find_family(const std::string& name);

// The torchvision network `name` ("resnet50", "mobilenet_v3_small", ...), unsampled.
// Throws common::Error for an unknown name, listing them.
onnx::ModelProto torchvision_network(const std::string& name, const NetOptions& options);

// The NAS-Bench-201 network of a cell string (C=16, N=5, 32x32, 10 classes).
onnx::ModelProto nasbench201_network(const std::string& arch, const NetOptions& options);

// Family builders (one source file per family group).
onnx::ModelProto build_alexnet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_vgg(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_resnet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_squeezenet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_googlenet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_densenet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_mobilenetv2(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_mobilenetv3(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_mnasnet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_efficientnet(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_shufflenetv2(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_proxylessnas(const std::string& variant, Draw& d, const NetOptions& o);
onnx::ModelProto build_nasbench201(const std::string& variant, Draw& d, const NetOptions& o);

}  // namespace nar::data::zoo
