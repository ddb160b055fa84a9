#pragma once
// TFRecord files: each record is
//   uint64 length (little-endian) | uint32 masked CRC-32C of the length bytes |
//   data | uint32 masked CRC-32C of the data.
// Both CRCs are verified; every framing problem throws common::Error naming the file
// and the record number (0-based).
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace nar::data {

class TfRecordReader {
  public:
    explicit TfRecordReader(const std::string& path);
    // Reads the next record into `record`; false at a clean end of file.
    bool next(std::string& record);
    int64_t records_read() const { return count_; }
    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    std::ifstream in_;
    int64_t count_ = 0;    // records returned so far (= number of the next record)
    uint64_t offset_ = 0;  // byte offset of the next record
};

std::vector<std::string> read_tfrecords(const std::string& path);
void write_tfrecords(const std::string& path, const std::vector<std::string>& records);

}  // namespace nar::data
