#pragma once
// The label file of a zoo directory: NNLQP's gt.txt (`id onnx_path batch latency_ms
// family platform stage`), so data/nnlqp.h loads it unchanged once measured. Before
// measurement a row's latency reads "nan" (the NNLQP loader refuses it, on purpose).
#include <cstdint>
#include <string>
#include <vector>

namespace nar::data::zoo {

struct ZooRow {
    int64_t id = 0;
    std::string onnx_path;  // relative to the zoo directory
    int64_t batch = 1;
    double latency_ms = 0;  // NaN until measured
    std::string family, platform, stage;
    bool measured() const;
};

inline constexpr const char* kZooLabelFile = "gt.txt";
inline constexpr const char* kUnmeasuredPlatform = "unmeasured";

// Throws common::Error "FILE:LINE: ..." for a malformed row, "FILE: cannot open" when unreadable.
std::vector<ZooRow> read_zoo_labels(const std::string& path);

// Written atomically (common/atomic_write.h).
void write_zoo_labels(const std::string& path, const std::vector<ZooRow>& rows);

}  // namespace nar::data::zoo
