// TFRecord framing, CRC-32C, base64, the NAS-Bench-101 record and its loader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/cell.h"
#include "data/crc32c.h"
#include "data/nb101.h"
#include "data/nb101_base64.h"
#include "data/nb101_record.h"
#include "data/tfrecord.h"
#include "tests/common/test_helpers.h"

namespace {

namespace fs = std::filesystem;
using nar::data::Nb101Evaluation;
using nar::data::Nb101Metrics;
using nar::data::Nb101Record;

using nar::test::error_of;

std::string temp_path(const std::string& name) {
    fs::path dir = fs::temp_directory_path() / "nar_test_tfrecord";
    fs::create_directories(dir);
    return (dir / name).string();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void dump(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(Crc32c, KnownVectors) {
    EXPECT_EQ(nar::data::crc32c("123456789", 9), 0xE3069283u);
    EXPECT_EQ(nar::data::crc32c("", 0), 0u);
    std::string zeros(32, '\0');
    EXPECT_EQ(nar::data::crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720 B.4
    std::string ones(32, '\xff');
    EXPECT_EQ(nar::data::crc32c(ones.data(), ones.size()), 0x62A8AB43u);
    // Extending in pieces equals one pass (the 8-byte fast path and the tail agree).
    std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
    uint32_t whole = nar::data::crc32c(text.data(), text.size());
    uint32_t part = nar::data::crc32c(text.data(), 13);
    part = nar::data::crc32c_extend(part, text.data() + 13, text.size() - 13);
    EXPECT_EQ(part, whole);
    EXPECT_EQ(nar::data::mask_crc32c(0x12345678u),
              (((0x12345678u >> 15) | (0x12345678u << 17)) + 0xa282d8a8u));
}

TEST(TfRecord, RoundTripAndLayout) {
    std::string path = temp_path("round.tfrecord");
    std::vector<std::string> records = {"hello", "", std::string("a\0b\xff", 4),
                                        std::string(1000, 'z')};
    nar::data::write_tfrecords(path, records);
    std::string bytes = slurp(path);
    ASSERT_EQ(bytes.size(), 16u * 4 + 5 + 0 + 4 + 1000);
    // First record: uint64 LE length 5, then masked CRCs.
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x05\0\0\0\0\0\0\0", 8));
    uint32_t len_crc = 0, data_crc = 0;
    for (int i = 3; i >= 0; --i)
        len_crc = (len_crc << 8) | static_cast<unsigned char>(bytes[8 + i]);
    for (int i = 3; i >= 0; --i)
        data_crc = (data_crc << 8) | static_cast<unsigned char>(bytes[12 + 5 + i]);
    EXPECT_EQ(len_crc, nar::data::mask_crc32c(nar::data::crc32c(bytes.data(), 8)));
    EXPECT_EQ(data_crc, nar::data::mask_crc32c(nar::data::crc32c("hello", 5)));
    EXPECT_EQ(nar::data::read_tfrecords(path), records);
}

TEST(TfRecord, BadDataCrcNamesFileAndRecord) {
    std::string path = temp_path("bad_crc.tfrecord");
    nar::data::write_tfrecords(path, {"first", "second", "third"});
    std::string bytes = slurp(path);
    bytes[(16 + 5) + 12 + 2] ^= 0x01;  // a data byte of record 1
    dump(path, bytes);
    std::string msg = error_of([&] { nar::data::read_tfrecords(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("record 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("data CRC"), std::string::npos) << msg;
}

TEST(TfRecord, BadLengthCrc) {
    std::string path = temp_path("bad_len.tfrecord");
    nar::data::write_tfrecords(path, {"first", "second"});
    std::string bytes = slurp(path);
    bytes[16 + 5 + 8] ^= 0x40;  // the length CRC of record 1
    dump(path, bytes);
    std::string msg = error_of([&] { nar::data::read_tfrecords(path); });
    EXPECT_NE(msg.find("record 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("length CRC"), std::string::npos) << msg;
}

TEST(TfRecord, TruncatedRecord) {
    std::string path = temp_path("trunc.tfrecord");
    nar::data::write_tfrecords(path, {"first", "second record"});
    std::string bytes = slurp(path);
    dump(path, bytes.substr(0, bytes.size() - 6));  // cut into record 1's data
    std::string msg = error_of([&] { nar::data::read_tfrecords(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("record 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

    dump(path, bytes.substr(0, 16 + 5 + 7));  // a partial header
    msg = error_of([&] { nar::data::read_tfrecords(path); });
    EXPECT_NE(msg.find("truncated header"), std::string::npos) << msg;

    msg = error_of([] { nar::data::read_tfrecords("/nonexistent/x.tfrecord"); });
    EXPECT_NE(msg.find("/nonexistent/x.tfrecord"), std::string::npos) << msg;
}

TEST(Base64, KnownVectorsAndErrors) {
    EXPECT_EQ(nar::data::base64_encode("Man"), "TWFu");
    EXPECT_EQ(nar::data::base64_encode("Ma"), "TWE=");
    EXPECT_EQ(nar::data::base64_encode("M"), "TQ==");
    EXPECT_EQ(nar::data::base64_decode("TWFu"), "Man");
    EXPECT_EQ(nar::data::base64_decode("TWE="), "Ma");
    EXPECT_EQ(nar::data::base64_decode("TQ=="), "M");
    EXPECT_EQ(nar::data::base64_decode(""), "");
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    EXPECT_EQ(nar::data::base64_decode(nar::data::base64_encode(all)), all);
    EXPECT_THROW(nar::data::base64_decode("TWF"), nar::common::Error);
    EXPECT_THROW(nar::data::base64_decode("TW!u"), nar::common::Error);
    EXPECT_THROW(nar::data::base64_decode("T=Fu"), nar::common::Error);
}

TEST(Nb101Record, ParseJson) {
    Nb101Record r = nar::data::parse_nb101_record(
        " [\"abc\\\"d\", 108 , \"0110\", \"input,output\", \"TQ\\u003d\\u003d\"] ");
    EXPECT_EQ(r.module_hash, "abc\"d");
    EXPECT_EQ(r.epochs, 108);
    EXPECT_EQ(r.raw_adjacency, "0110");
    EXPECT_EQ(r.raw_operations, "input,output");
    EXPECT_EQ(r.raw_metrics, "TQ==");
    Nb101Record back = nar::data::parse_nb101_record(nar::data::format_nb101_record(r));
    EXPECT_EQ(back.module_hash, r.module_hash);
    EXPECT_EQ(back.raw_metrics, r.raw_metrics);
    EXPECT_THROW(nar::data::parse_nb101_record("[\"a\", \"108\", \"0\", \"x\", \"y\"]"),
                 nar::common::Error);
    EXPECT_THROW(nar::data::parse_nb101_record("[\"a\", 108, \"0\", \"x\"]"), nar::common::Error);
    EXPECT_THROW(nar::data::parse_nb101_record("[\"a\", 108, \"0\", \"x\", \"y\"] x"),
                 nar::common::Error);
    EXPECT_THROW(nar::data::parse_nb101_record("[\"a, 108"), nar::common::Error);
}

TEST(Nb101Record, MetricsRoundTrip) {
    Nb101Metrics m;
    m.trainable_parameters = 2694282;
    m.total_time = 1155.85;
    m.evaluation_data.push_back({54, 500.5, 0.8, 0.79, 0.78, "ckpt-54"});
    m.evaluation_data.push_back({108, 1000.25, 0.99, 0.93, 0.925, "ckpt-108"});
    Nb101Metrics back = nar::data::decode_nb101_metrics(nar::data::encode_nb101_metrics(m));
    EXPECT_EQ(back.trainable_parameters, 2694282);
    EXPECT_EQ(back.total_time, 1155.85);
    ASSERT_EQ(back.evaluation_data.size(), 2u);
    EXPECT_EQ(back.evaluation_data[1].current_epoch, 108);
    EXPECT_EQ(back.evaluation_data[1].validation_accuracy, 0.93);
    EXPECT_EQ(back.evaluation_data[1].test_accuracy, 0.925);
    EXPECT_EQ(back.evaluation_data[0].checkpoint_path, "ckpt-54");
    // Hand-encoded wire bytes: field 2 (trainable_parameters, double 1.0) = 0x11 + 8 bytes.
    std::string wire("\x11\0\0\0\0\0\0\xf0\x3f", 9);
    EXPECT_EQ(nar::data::decode_nb101_metrics(nar::data::base64_encode(wire)).trainable_parameters,
              1.0);
    EXPECT_THROW(nar::data::decode_nb101_metrics(nar::data::base64_encode("\x0a\x05zz")),
                 nar::common::Error);
}

std::string record(const std::string& hash, int epochs, const std::string& adj,
                   const std::string& ops, double val, double test, double params) {
    Nb101Metrics m;
    m.trainable_parameters = params;
    m.evaluation_data.push_back({double(epochs) / 2, 1, 0.5, 0.11, 0.12, ""});  // halfway
    m.evaluation_data.push_back({double(epochs), 2, 0.9, val, test, ""});       // final
    return nar::data::format_nb101_record(
        {hash, epochs, adj, ops, nar::data::encode_nb101_metrics(m)});
}

TEST(Nb101TfRecord, GroupsRepeatsAndAverages) {
    const std::string adj7 = "0100110001000000010010000010000001000000010000000";
    const std::string ops7 =
        "input,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output";
    const std::string adj3 = "011001000", ops3 = "input,maxpool3x3,output";
    std::vector<std::string> recs = {
        record("hashA", 108, adj7, ops7, 0.90, 0.89, 8555530),
        record("hashB", 108, adj3, ops3, 0.50, 0.40, 1000),
        record("hashA", 36, adj7, ops7, 0.10, 0.10, 8555530),  // other epoch budget: skipped
        record("hashA", 108, adj7, ops7, 0.93, 0.92, 8555530),
        record("hashB", 108, adj3, ops3, 0.60, 0.50, 1000),
        record("hashA", 108, adj7, ops7, 0.96, 0.95, 8555530),
        record("hashB", 108, adj3, ops3, 0.70, 0.60, 1000),
    };
    std::string path = temp_path("nb101.tfrecord");
    nar::data::write_tfrecords(path, recs);
    std::vector<nar::data::Cell> cells = nar::data::load_nb101_tfrecord(path);
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(cells[0].arch, "hashA");
    EXPECT_EQ(cells[0].index, 0);
    EXPECT_EQ(cells[0].n, 7);
    EXPECT_EQ(cells[0].ops, (std::vector<int>{0, 2, 3, 2, 2, 1, 4}));
    EXPECT_EQ(cells[0].adj[1], 1);
    EXPECT_EQ(cells[0].adj[2], 0);
    EXPECT_NEAR(nar::data::cell_target(cells[0], "accuracy:validation"), 0.93, 1e-12);
    EXPECT_NEAR(nar::data::cell_target(cells[0], "accuracy:test"), 0.92, 1e-12);
    EXPECT_EQ(nar::data::cell_target(cells[0], "params"), 8555530);
    EXPECT_EQ(cells[1].n, 3);
    EXPECT_NEAR(nar::data::cell_target(cells[1], "accuracy:validation"), 0.6, 1e-12);
    EXPECT_NEAR(nar::data::cell_target(cells[1], "accuracy:test"), 0.5, 1e-12);
    // The same file through the generic loader, mixed with a CSV.
    std::vector<nar::data::Cell> mixed = nar::data::load_nb101({path});
    EXPECT_EQ(mixed.size(), 2u);
    EXPECT_EQ(nar::data::load_nb101_tfrecord(path, 36).size(), 1u);
}

TEST(Nb101TfRecord, BadRecordsNameFileAndRecord) {
    const std::string adj3 = "011001000", ops3 = "input,maxpool3x3,output";
    std::string path = temp_path("nb101_bad.tfrecord");
    nar::data::write_tfrecords(path, {record("h", 108, adj3, ops3, 0.5, 0.5, 1), "not json"});
    std::string msg = error_of([&] { nar::data::load_nb101_tfrecord(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("record 1"), std::string::npos) << msg;

    nar::data::write_tfrecords(path, {record("h", 108, "01100100", ops3, 0.5, 0.5, 1)});
    msg = error_of([&] { nar::data::load_nb101_tfrecord(path); });
    EXPECT_NE(msg.find("record 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("square"), std::string::npos) << msg;

    nar::data::write_tfrecords(path, {record("h", 108, adj3, "input,conv7x7,output", .5, .5, 1)});
    msg = error_of([&] { nar::data::load_nb101_tfrecord(path); });
    EXPECT_NE(msg.find("conv7x7"), std::string::npos) << msg;

    nar::data::write_tfrecords(path, {"[\"h\", 108, \"011001000\", \"input,maxpool3x3,output\", "
                                      "\"@@@@\"]"});
    msg = error_of([&] { nar::data::load_nb101_tfrecord(path); });
    EXPECT_NE(msg.find("base64"), std::string::npos) << msg;

    nar::data::write_tfrecords(path, {record("h", 4, adj3, ops3, 0.5, 0.5, 1)});
    msg = error_of([&] { nar::data::load_nb101_tfrecord(path); });
    EXPECT_NE(msg.find("epochs == 108"), std::string::npos) << msg;
}

}  // namespace
