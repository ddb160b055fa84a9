#include "data/zoo/family.h"

#include <cstdio>

#include "common/error.h"

namespace nar::data::zoo {

using nar::common::Error;

double Draw::pick(const std::string& dim, double dflt) {
    if (!sampler_) return dflt;
    const double v = sampler_->pick(space_->choices(dim));
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s=%g;", dim.c_str(), v);
    key_ += buf;
    return v;
}

int64_t Draw::pick_int(const std::string& dim, int64_t dflt) {
    return static_cast<int64_t>(pick(dim, static_cast<double>(dflt)));
}

size_t Draw::variant(size_t n) {
    if (!sampler_ || n <= 1) return 0;
    const size_t v = sampler_->index(n);
    key_ += "variant=" + std::to_string(v) + ";";
    return v;
}

const std::vector<FamilyDef>& zoo_families() {
    static const std::vector<FamilyDef> families = {
        {"alexnet", "nnmeter-generator/alexnet.yaml", {"alexnet"}, build_alexnet},
        {"vgg", "nnmeter-generator/vgg.yaml", {"vgg11", "vgg13", "vgg16", "vgg19"}, build_vgg},
        {"resnet",
         "nnmeter-generator/resnet.yaml",
         {"resnet18", "resnet34", "resnet50"},
         build_resnet},
        {"squeezenet",
         "nnmeter-generator/squeezenet.yaml",
         {"squeezenet1_0", "squeezenet1_1"},
         build_squeezenet},
        {"googlenet", "nnmeter-generator/googlenet.yaml", {"googlenet"}, build_googlenet},
        {"densenet", "nnmeter-generator/densenet.yaml", {"densenet121"}, build_densenet},
        {"mobilenetv2", "nnmeter-generator/mobilenetv2.yaml", {"mobilenet_v2"}, build_mobilenetv2},
        {"mobilenetv3",
         "nnmeter-generator/mobilenetv3.yaml",
         {"mobilenet_v3_large", "mobilenet_v3_small"},
         build_mobilenetv3},
        {"mnasnet", "nnmeter-generator/mnasnet.yaml", {"mnasnet1_0", "mnasnet0_5"}, build_mnasnet},
        {"efficientnet", "zoo/efficientnet.yaml", {"efficientnet_b0"}, build_efficientnet},
        {"shufflenetv2",
         "nnmeter-generator/shufflenetv2.yaml",
         {"shufflenet_v2_x1_0", "shufflenet_v2_x0_5"},
         build_shufflenetv2},
        {"proxylessnas",
         "nnmeter-generator/proxylessnas.yaml",
         {"proxylessnas_mobile"},
         build_proxylessnas},
        {"nasbench201", "", {"nasbench201"}, build_nasbench201},
    };
    return families;
}

const FamilyDef& find_family(const std::string& name) {
    std::string known;
    for (const auto& f : zoo_families()) {
        if (f.name == name) return f;
        known += (known.empty() ? "" : ", ") + f.name;
    }
    throw Error("unknown zoo family '" + name + "' (known: " + known + ")");
}

onnx::ModelProto torchvision_network(const std::string& name, const NetOptions& options) {
    std::string known;
    for (const auto& f : zoo_families())
        for (const auto& v : f.variants) {
            if (v == name) {
                Draw d;
                return f.build(v, d, options);
            }
            known += (known.empty() ? "" : ", ") + v;
        }
    throw Error("unknown torchvision network '" + name + "' (known: " + known + ")");
}

}  // namespace nar::data::zoo
