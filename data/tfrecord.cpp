#include "data/tfrecord.h"

#include "common/error.h"
#include "data/crc32c.h"

namespace nar::data {
namespace {

uint64_t load_u64(const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

uint32_t load_u32(const unsigned char* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void store_u64(unsigned char* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

void store_u32(unsigned char* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

}  // namespace

TfRecordReader::TfRecordReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) throw common::Error("cannot open TFRecord file '" + path + "'");
}

void TfRecordReader::fail(const std::string& what) const {
    throw common::Error("TFRecord file '" + path_ + "', record " + std::to_string(count_) +
                        " (byte offset " + std::to_string(offset_) + "): " + what);
}

bool TfRecordReader::next(std::string& record) {
    unsigned char header[12];
    in_.read(reinterpret_cast<char*>(header), sizeof header);
    std::streamsize got = in_.gcount();
    if (got == 0) return false;
    if (got != static_cast<std::streamsize>(sizeof header))
        fail("truncated header (" + std::to_string(got) + " of 12 bytes)");
    uint64_t length = load_u64(header);
    if (mask_crc32c(crc32c(header, 8)) != load_u32(header + 8))
        fail("length CRC mismatch (corrupt file?)");
    // A sane upper bound keeps a corrupt length from allocating the machine away.
    if (length > (uint64_t(1) << 32))
        fail("record length " + std::to_string(length) + " too large");
    record.resize(length);
    in_.read(record.data(), static_cast<std::streamsize>(length));
    if (static_cast<uint64_t>(in_.gcount()) != length)
        fail("truncated data (" + std::to_string(in_.gcount()) + " of " + std::to_string(length) +
             " bytes)");
    unsigned char footer[4];
    in_.read(reinterpret_cast<char*>(footer), sizeof footer);
    if (in_.gcount() != static_cast<std::streamsize>(sizeof footer)) fail("truncated data CRC");
    if (mask_crc32c(crc32c(record.data(), record.size())) != load_u32(footer))
        fail("data CRC mismatch (corrupt file?)");
    offset_ += 16 + length;
    ++count_;
    return true;
}

std::vector<std::string> read_tfrecords(const std::string& path) {
    TfRecordReader reader(path);
    std::vector<std::string> out;
    std::string rec;
    while (reader.next(rec)) out.push_back(rec);
    return out;
}

void write_tfrecords(const std::string& path, const std::vector<std::string>& records) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw common::Error("cannot write TFRecord file '" + path + "'");
    for (const std::string& r : records) {
        unsigned char header[12];
        store_u64(header, r.size());
        store_u32(header + 8, mask_crc32c(crc32c(header, 8)));
        unsigned char footer[4];
        store_u32(footer, mask_crc32c(crc32c(r.data(), r.size())));
        out.write(reinterpret_cast<const char*>(header), sizeof header);
        out.write(r.data(), static_cast<std::streamsize>(r.size()));
        out.write(reinterpret_cast<const char*>(footer), sizeof footer);
    }
    if (!out) throw common::Error("failed writing TFRecord file '" + path + "'");
}

}  // namespace nar::data
