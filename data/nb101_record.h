#pragma once
// One record of the official NAS-Bench-101 TFRecord: a JSON array
//   [module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]
// with raw_metrics = base64 of a ModelMetrics protobuf (data/nb101_metrics.proto).
#include <cstdint>
#include <string>
#include <vector>

namespace nar::data {

struct Nb101Record {
    std::string module_hash;
    int64_t epochs = 0;
    std::string raw_adjacency;   // n*n digits '0'/'1', row-major
    std::string raw_operations;  // "input,conv3x3-bn-relu,...,output"
    std::string raw_metrics;     // base64
};

struct Nb101Evaluation {
    double current_epoch = 0, training_time = 0, train_accuracy = 0;
    double validation_accuracy = 0, test_accuracy = 0;
    std::string checkpoint_path;
};

struct Nb101Metrics {
    std::vector<Nb101Evaluation> evaluation_data;
    double trainable_parameters = 0;
    double total_time = 0;
};

// Parsing throws common::Error with a message that says what is wrong (callers add
// file and record number).
Nb101Record parse_nb101_record(const std::string& json);
std::string format_nb101_record(const Nb101Record& record);

// raw_metrics (base64 text) <-> metrics.
Nb101Metrics decode_nb101_metrics(const std::string& raw_metrics);
std::string encode_nb101_metrics(const Nb101Metrics& metrics);

}  // namespace nar::data
