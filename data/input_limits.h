#pragma once
// Size limits on untrusted input files. Each limit has a default and an
// environment variable that raises (or lowers) it; the error names both, so a
// user with a genuinely large input knows what to set.
#include <cstdint>
#include <string>

namespace nar::data {

struct InputLimit {
    const char* env;   // e.g. "NAR_MAX_ONNX_BYTES"
    int64_t fallback;  // used when the variable is unset
    const char* unit;  // "bytes", "nodes"
};

extern const InputLimit kMaxOnnxBytes;  // one ONNX file
extern const InputLimit kMaxOnnxNodes;  // operators in one ONNX graph
extern const InputLimit kMaxTextBytes;  // one CSV / label text file

// Largest batch size the ONNX encoder accepts: beyond it FLOPs and tensor sizes
// stop being meaningful (and int64 element counts can overflow).
constexpr int64_t kMaxBatch = int64_t{1} << 20;

// The limit's value: the environment variable when set (a positive integer,
// common::Error otherwise), else the default.
int64_t limit_value(const InputLimit& limit);

// "<label>: <what> exceeds the limit of N <unit> (set ENV to raise it)".
std::string limit_error(const InputLimit& limit, const std::string& label, const std::string& what);

// The whole file, reading at most limit_value(limit) bytes: regular files are
// checked by size before reading, others (pipes, /dev/zero) are cut off when
// they pass the limit. Throws common::Error naming the file.
std::string read_bounded_file(const std::string& path, const InputLimit& limit);

}  // namespace nar::data
