// Class 8 of issue 12: HDF5 datasets are written with the Fletcher-32 checksum
// (common/h5.cpp), so a flipped byte in a model, result or features file is a
// read error, never a wrong number; truncated files are errors naming the file.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "common/error.h"
#include "common/h5.h"
#include "hostile_gen.h"
#include "hostile_run.h"

namespace nar::hostile {
namespace {

using common::H5File;

// File offset of the middle 16 bytes of a float dataset's data.
template <class T>
int64_t data_offset(const std::string& path, const std::vector<T>& v) {
    EXPECT_GE(v.size() * sizeof(T), 64u);
    std::string bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    const size_t mid = bytes.size() / 2;
    const int64_t at = find_bytes(path, bytes.substr(mid, 16));
    EXPECT_GE(at, 0) << "data of " << path << " not found (compressed?)";
    return at < 0 ? 0 : at + 8;
}

template <class F>
std::string error_of(F fn) {
    try {
        fn();
    } catch (const common::Error& e) {
        return e.what();
    }
    return "";
}

TEST(H5Checksum, FlippedDataByteIsAReadError) {
    Scratch s("h5flip");
    const std::string f = s.path("a.h5");
    std::vector<double> v(4096);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.001 * static_cast<double>(i * i) + 0.5;
    {
        H5File h(f, H5File::Mode::Truncate);
        h.write_f64("group/values", v, {64, 64});
    }
    flip_byte(f, data_offset(f, v));
    H5File h(f, H5File::Mode::Read);
    const std::string msg = error_of([&] { h.read_f64("group/values"); });
    EXPECT_NE(msg.find(f), std::string::npos) << msg;
    EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
}

TEST(H5Checksum, ScalarEmptyAndStringDatasetsRoundTrip) {
    Scratch s("h5kinds");
    const std::string f = s.path("k.h5");
    {
        H5File h(f, H5File::Mode::Truncate);
        h.write_scalar_f64("scalar", 2.5);
        h.write_f64("empty", {}, {0});
        h.write_i64("empty2d", {}, {0, 3});
        h.write_string("text", "hello");
        h.write_strings("names", {"a", "bb", ""});
        h.write_strings("no_names", {});
        h.write_bytes("blob", std::string(100000, 'x'));
        h.write_f32("big", std::vector<float>(600000, 1.5f), {600000});
    }
    H5File h(f, H5File::Mode::Read);
    EXPECT_EQ(h.read_scalar_f64("scalar"), 2.5);
    EXPECT_TRUE(h.read_f64("empty").empty());
    EXPECT_EQ(h.shape("empty2d"), common::Shape({0, 3}));
    EXPECT_EQ(h.read_string("text"), "hello");
    EXPECT_EQ(h.read_strings("names"), std::vector<std::string>({"a", "bb", ""}));
    EXPECT_TRUE(h.read_strings("no_names").empty());
    EXPECT_EQ(h.read_bytes("blob"), std::string(100000, 'x'));
    EXPECT_EQ(h.read_f32("big"), std::vector<float>(600000, 1.5f));
}

// The features file written by `nar data features` is protected too.
TEST(H5Checksum, FeaturesFileFromTheCli) {
    Scratch s("h5feat");
    const std::string out = s.path("f.h5");
    const RunResult r = run_nar(
        {"data", "features", golden_onnx("tv_resnet18.onnx"), "--batch", "8", "--out", out});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    std::vector<float> x = H5File(out, H5File::Mode::Read).read_f32("x");
    flip_byte(out, data_offset(out, x));
    const std::string msg = error_of([&] { H5File(out, H5File::Mode::Read).read_f32("x"); });
    EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
}

// A tiny NB201 accuracy model trained once for the model-file cases.
class ModelFile : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        scratch_ = new Scratch("model");
        const RunResult r = run_nar({"train",
                                     "--study",
                                     "nb201-accuracy",
                                     "--train-count",
                                     "16",
                                     "--val-count",
                                     "8",
                                     "--test",
                                     "rest",
                                     "--epochs",
                                     "1",
                                     "--hidden",
                                     "16",
                                     "--layers",
                                     "1",
                                     "--threads",
                                     "1",
                                     "--out",
                                     scratch_->path("r.h5"),
                                     "--save-model",
                                     scratch_->path("m.h5")},
                                    {4096, 120, {}});
        trained_ = r.exit_code == 0;
        if (!trained_) std::fprintf(stderr, "training failed: %s\n", r.describe().c_str());
        write_text(
            scratch_->path("cells.txt"),
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
            "skip_connect~2|\n");
    }
    static void TearDownTestSuite() { delete scratch_; }

    // A fresh copy of the model to corrupt.
    std::string model_copy(const std::string& name) {
        const std::string p = scratch_->path(name);
        copy_file(scratch_->path("m.h5"), p);
        return p;
    }
    RunResult predict(const std::string& model) {
        return run_nar({"predict", "--model", model, "--cells", scratch_->path("cells.txt")});
    }

    static inline Scratch* scratch_ = nullptr;
    static inline bool trained_ = false;
};

TEST_F(ModelFile, IntactModelPredicts) {
    ASSERT_TRUE(trained_);
    const RunResult r = predict(scratch_->path("m.h5"));
    EXPECT_EQ(r.exit_code, 0) << r.describe();
}

TEST_F(ModelFile, FlippedParameterByteIsAnError) {
    ASSERT_TRUE(trained_);
    const std::string m = model_copy("flip.h5");
    H5File h(m, H5File::Mode::Read);
    // The largest parameter: its data is easy to find and to hit.
    std::string biggest;
    size_t n = 0;
    for (const auto& name : h.children("params")) {
        const size_t k = common::numel(h.shape("params/" + name));
        if (k > n) n = k, biggest = name;
    }
    const std::vector<double> v = h.read_f64("params/" + biggest);
    std::vector<float> f(v.begin(), v.end());
    h.close();
    int64_t at =
        find_bytes(m, std::string(reinterpret_cast<const char*>(f.data() + f.size() / 2), 16));
    if (at < 0) at = data_offset(m, v);
    for (int k = 0; k < 4; ++k) flip_byte(m, at + k);  // the "four overwritten bytes"
    EXPECT_REJECTED(predict(m), std::vector<std::string>({m, "checksum"}), scratch_->dir(), {});
}

TEST_F(ModelFile, FlippedMetadataByteIsAnError) {
    ASSERT_TRUE(trained_);
    const std::string m = model_copy("meta.h5");
    const int64_t at = find_bytes(m, "nar-model-1");  // the format attribute's value
    ASSERT_GE(at, 0);
    flip_byte(m, at + 4);
    EXPECT_REJECTED(predict(m), std::vector<std::string>({m}), scratch_->dir(), {});
}

TEST_F(ModelFile, TruncatedModelIsAnError) {
    ASSERT_TRUE(trained_);
    for (double keep : {0.9, 0.5, 0.1}) {
        const std::string m = model_copy("trunc.h5");
        truncate_file(m, static_cast<int64_t>(keep * static_cast<double>(file_size(m))));
        EXPECT_REJECTED(predict(m), std::vector<std::string>({m}), scratch_->dir(), {});
    }
}

TEST_F(ModelFile, ResultFileIsChecksummed) {
    ASSERT_TRUE(trained_);
    const std::string r = scratch_->path("r_copy.h5");
    copy_file(scratch_->path("r.h5"), r);
    const std::vector<double> p = H5File(r, H5File::Mode::Read).read_f64("test/predictions");
    flip_byte(r, data_offset(r, p));
    const std::string msg =
        error_of([&] { H5File(r, H5File::Mode::Read).read_f64("test/predictions"); });
    EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
}

}  // namespace
}  // namespace nar::hostile
