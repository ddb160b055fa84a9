#pragma once
// `nar zoo generate`: N graphs of one family into a zoo directory (DIR/onnx/<family>/),
// with their rows in DIR/gt.txt (other families' rows are kept).
#include <cstdint>
#include <string>
#include <vector>

#include "data/zoo/family.h"

namespace nar::data::zoo {

struct GenerateOptions {
    std::string family;
    int64_t count = 0;
    uint64_t seed = 100;
    std::string out;
    NetOptions net;
    double test_fraction = 0.1;  // the last models of the family are "test" (NNLQP: 200 of 2000)
};

struct GenerateReport {
    int64_t written = 0;
    int64_t duplicates = 0;  // draws rejected as equal to an earlier network
};

// Throws common::Error for an unknown family, count < 1, a space too small for `count`
// distinct networks, or an unwritable directory (nothing is half-written: files go
// through temporary names).
GenerateReport generate_zoo(const GenerateOptions& options);

// One network: model 0 is the default (torchvision) network, model i > 0 the i-th
// distinct draw. Exposed for tests; `key` receives the draw key.
onnx::ModelProto zoo_model(const FamilyDef& family, const SamplingSpace* space, Sampler* sampler,
                           const NetOptions& net, std::string* key);

std::string serialize_model(const onnx::ModelProto& model);

}  // namespace nar::data::zoo
