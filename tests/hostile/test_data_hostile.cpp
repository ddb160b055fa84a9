// Class 2 of issue 12: non-finite or impossible labels in the bundled-format
// NAS-Bench CSVs (NAR_DATA_DIR) are errors with file:line; class 14: duplicate
// NNLQP ids are reported; class 11: an endless CSV is cut off at the size limit.
#include <gtest/gtest.h>

#include <filesystem>

#include "hostile_gen.h"
#include "hostile_run.h"

namespace nar::hostile {
namespace {

namespace fs = std::filesystem;

struct LabelCase {
    const char* name;
    const char* file;    // relative to the data dir
    const char* column;  // corrupted column
    size_t row;
    const char* value;
    const char* study;
};

void PrintTo(const LabelCase& c, std::ostream* os) { *os << c.name; }

const char* kNb201Acc = "nb201/nb201_cifar_accuracy.csv";
const char* kNb201Lat = "nb201/nb201_latency_27_devices.csv";
const char* kNb101A = "nb101/nb101_1k.csv";
const char* kNb101B = "nb101/nb101_500.csv";

std::vector<LabelCase> label_cases() {
    return {
        {"nb201_acc_nan", kNb201Acc, "CIFAR10TestAccuracy200Epochs", 17, "nan", "nb201-accuracy"},
        {"nb201_acc_inf", kNb201Acc, "CIFAR10TestAccuracy200Epochs", 3, "inf", "nb201-accuracy"},
        {"nb201_acc_negative", kNb201Acc, "CIFAR100TestAccuracy200Epochs", 40, "-12.5",
         "nb201-accuracy"},
        {"nb201_acc_above_100", kNb201Acc, "CIFAR10TestAccuracy200Epochs", 9, "250",
         "nb201-accuracy"},
        {"nb201_latency_zero", kNb201Lat, "titan_rtx_1", 5, "0", "nb201-latency"},
        {"nb201_latency_negative", kNb201Lat, "pixel3", 11, "-3.5", "nb201-latency"},
        {"nb201_latency_nan", kNb201Lat, "titan_rtx_1", 2, "NaN", "nb201-latency"},
        {"nb101_acc_nan", kNb101A, "val_acc_108ep", 7, "nan", "nb101-accuracy"},
        {"nb101_acc_negative", kNb101A, "val_acc_108ep", 8, "-0.2", "nb101-accuracy"},
        {"nb101_acc_above_1", kNb101A, "val_acc_108ep", 1, "1.7", "nb101-accuracy"},
        {"nb101_500_acc_inf", kNb101B, "val_accuracy", 4, "inf", "nb101-accuracy"},
        {"nb101_params_zero", kNb101A, "params", 2, "0", "nb101-accuracy"},
    };
}

// A copy of the bundled NAS-Bench files with one corrupted field.
std::string corrupt_data_dir(const Scratch& s, const LabelCase& c, int64_t* line) {
    const std::string root = s.path("data");
    for (const char* rel : {kNb201Acc, kNb201Lat, kNb101A, kNb101B}) {
        fs::create_directories(fs::path(root + "/" + rel).parent_path());
        if (std::string(rel) != c.file) copy_file(bundled(rel), root + "/" + rel);
    }
    *line = corrupt_csv(bundled(c.file), root + "/" + c.file, c.column, c.row, c.value);
    return root;
}

class LabelHostile : public ::testing::TestWithParam<LabelCase> {};

TEST_P(LabelHostile, RejectedWithFileAndLine) {
    const LabelCase& c = GetParam();
    Scratch s(c.name);
    int64_t line = 0;
    RunLimits lim;
    lim.env["NAR_DATA_DIR"] = corrupt_data_dir(s, c, &line);
    lim.timeout_s = 60;
    const std::string out = s.path("r.h5");
    std::vector<std::string> args = {
        "train", "--study",  c.study, "--train-count", "16", "--val-count", "8", "--test",
        "rest",  "--epochs", "1",     "--hidden",      "16", "--layers",    "1", "--threads",
        "1",     "--out",    out};
    if (std::string(c.study) == "nb201-latency") {
        args.push_back("--target");
        args.push_back("latency:titan_rtx_1");
    }
    const RunResult r = run_nar(args, lim);
    const std::string where = lim.env["NAR_DATA_DIR"] + "/" + c.file + ":" + std::to_string(line);
    EXPECT_REJECTED(r, std::vector<std::string>({where, c.column}), s.dir(), {});
    EXPECT_EQ(r.output.find("status=done"), std::string::npos) << r.describe();
}

INSTANTIATE_TEST_SUITE_P(Class2, LabelHostile, ::testing::ValuesIn(label_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// An NNLQP root over one golden network, with the given label lines.
std::string nnlqp_root(const Scratch& s, const std::string& labels) {
    const std::string root = s.path("root");
    fs::create_directories(root + "/onnx");
    copy_file(golden_onnx("tv_alexnet.onnx"), root + "/onnx/a.onnx");
    write_text(root + "/gt_stage.txt", labels);
    return root;
}

TEST(NnlqpHostile, DuplicateIdsAreReported) {
    Scratch s("nnlqp_dup");
    const std::string root = nnlqp_root(s,
                                        "1 onnx/a.onnx 1 2.5 alexnet cpu train\n"
                                        "2 onnx/a.onnx 8 9.5 alexnet cpu train\n"
                                        "1 onnx/a.onnx 4 5.5 alexnet cpu test\n");
    const RunResult r = run_nar({"data", "nnlqp", root, "--no-cache"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.output.find("gt_stage.txt: 1 row(s) repeat an earlier id"), std::string::npos)
        << r.describe();
    EXPECT_NE(r.output.find("line 3 repeats id 1 of line 1"), std::string::npos) << r.describe();
}

TEST(NnlqpHostile, NonFiniteLatencyIsAnErrorWithLine) {
    Scratch s("nnlqp_nan");
    const std::string root = nnlqp_root(s,
                                        "1 onnx/a.onnx 1 2.5 alexnet cpu train\n"
                                        "2 onnx/a.onnx 8 nan alexnet cpu test\n");
    EXPECT_REJECTED(run_nar({"data", "nnlqp", root, "--no-cache"}),
                    std::vector<std::string>({root + "/gt_stage.txt:2", "latency"}), s.dir(), {});
}

// Class 11: label files are read with a size limit too.
TEST(TextLimits, EndlessLabelFileIsCutOff) {
    Scratch s("nnlqp_zero");
    const std::string root = s.path("root");
    fs::create_directories(root);
    fs::create_symlink("/dev/zero", root + "/gt_stage.txt");
    RunLimits lim;
    lim.memory_mb = 3072;
    lim.timeout_s = 30;
    lim.env["NAR_MAX_TEXT_BYTES"] = "1000000";
    EXPECT_REJECTED(run_nar({"data", "nnlqp", root, "--no-cache"}, lim),
                    std::vector<std::string>({"gt_stage.txt", "NAR_MAX_TEXT_BYTES"}), s.dir(), {});
}

}  // namespace
}  // namespace nar::hostile
