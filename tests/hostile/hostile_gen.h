#pragma once
// The generator of bad inputs: edits of the golden ONNX fixtures made with
// libonnx's protobuf types, corrupted CSV / TOML / label files, and truncated or
// bit-flipped HDF5 files. Every function writes plain files for `nar` to read.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nar::hostile {

std::string golden_onnx(const std::string& name);  // tests/fixtures/golden/onnx/<name>
std::string bundled(const std::string& rel);       // data/bundled/<rel>

onnx::ModelProto read_onnx(const std::string& path);
void write_onnx(const onnx::ModelProto& m, const std::string& path);

// The nth node of type `op` (fails the test when there is none).
onnx::NodeProto& node_of_type(onnx::ModelProto& m, const std::string& op, int nth = 0);
void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
void set_int(onnx::NodeProto& n, const std::string& name, int64_t v);
// Dim `dim` of the first graph input.
void set_input_dim(onnx::ModelProto& m, int dim, int64_t value);

// x[1, 8, 4, 4] -> Relu -> ... -> Relu (`nodes` operators): a large but valid graph.
onnx::ModelProto relu_chain(int nodes);

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
void copy_file(const std::string& from, const std::string& to);
void flip_byte(const std::string& path, int64_t offset);  // XOR 0xFF
void truncate_file(const std::string& path, int64_t size);
int64_t file_size(const std::string& path);

// Offset of the first occurrence of `bytes` in the file, or -1.
int64_t find_bytes(const std::string& path, const std::string& bytes);

// Copies a CSV and sets column `column` of data row `row` (0-based) to `value`.
// Returns the 1-based file line of that row.
int64_t corrupt_csv(const std::string& from, const std::string& to, const std::string& column,
                    size_t row, const std::string& value);

}  // namespace nar::hostile
