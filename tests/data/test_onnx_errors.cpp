// Bad ONNX input: clear common::Error messages naming the file (and node).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "common/h5.h"
#include "data/onnx_graph.h"
#include "data/onnx_model.h"
#include "tests/common/test_helpers.h"

namespace {

namespace fs = std::filesystem;
using nar::common::Error;
using nar::data::extract_onnx_graph;
using nar::data::ExtractOptions;

const std::string kOnnx = std::string(NAR_FIXTURES) + "/golden/onnx";

// The Error's message, or "" if `fn` did not throw one.
using nar::test::error_of;

class TempDir {
  public:
    TempDir() {
        path_ = fs::temp_directory_path() /
                ("nar_onnx_test_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    fs::path path_;
    static inline int counter_ = 0;
};

void write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

TEST(OnnxErrors, ExpectedRejectionsGoldenAreClearErrors) {
    nar::common::H5File f(std::string(NAR_FIXTURES) + "/golden/features/expected_rejections.h5",
                          nar::common::H5File::Mode::Read);
    const auto files = f.read_strings("onnx_file");
    const auto batches = f.read_i64("batch_size");
    ASSERT_EQ(files.size(), 6u);
    for (size_t i = 0; i < files.size(); ++i) {
        const std::string path = kOnnx + "/" + files[i];
        const std::string msg = error_of([&] { extract_onnx_graph(path, batches[i]); });
        ASSERT_FALSE(msg.empty()) << files[i] << " b" << batches[i] << " was accepted";
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        if (files[i] == "tiny_unet_convtranspose.onnx") {
            EXPECT_NE(msg.find("ConvTranspose"), std::string::npos) << msg;
        } else if (files[i] == "tiny_unet_upsample_opset9.onnx") {
            EXPECT_NE(msg.find("(Pad): attribute pads has 8 values (0, 0, 0, 0, 0, 0, 0, 0)"),
                      std::string::npos)
                << msg;
        } else if (batches[i] == 1) {
            EXPECT_NE(msg.find("output shapes could not be inferred"), std::string::npos) << msg;
            EXPECT_NE(msg.find("Slice"), std::string::npos) << msg;
        } else {
            EXPECT_NE(msg.find("node name: /fc/Gemm"), std::string::npos) << msg;
            EXPECT_NE(msg.find("differ in dimension 0: (1) vs (8)"), std::string::npos) << msg;
        }
    }
}

TEST(OnnxErrors, FixedFlopsModeSupportsConvTranspose) {
    ExtractOptions opt;
    opt.flops = nar::data::FlopsMode::fixed;
    const auto g = extract_onnx_graph(kOnnx + "/tiny_unet_convtranspose.onnx", 1, opt);
    bool has_ct = false;
    for (size_t i = 0; i < g.op_types.size(); ++i) {
        if (g.op_types[i] != "ConvTranspose") continue;
        has_ct = true;
        EXPECT_EQ(g.graph.x[i * 152 + 27], 1.0f);  // one-hot slot 27
    }
    EXPECT_TRUE(has_ct);
    EXPECT_GT(g.static_raw[1], 0.0);
}

TEST(OnnxErrors, FixedFlopsCountsMatMulAndFullGlobalPool) {
    ExtractOptions fixed;
    fixed.flops = nar::data::FlopsMode::fixed;
    const auto compat = extract_onnx_graph(kOnnx + "/tv_resnet18.onnx", 1);
    const auto corrected = extract_onnx_graph(kOnnx + "/tv_resnet18.onnx", 1, fixed);
    // resnet18's GlobalAveragePool: compat counts 512*7 = 3584, fixed 512*7*7 = 25088.
    EXPECT_EQ(corrected.static_raw[1] - compat.static_raw[1], 25088.0 - 3584.0);
    EXPECT_EQ(corrected.static_raw[2], compat.static_raw[2]);
}

TEST(OnnxErrors, TruncatedFileNamesTheFile) {
    TempDir d;
    const auto bytes = nar::data::read_file_bytes(kOnnx + "/tv_resnet18.onnx");
    const std::string p = d.file("truncated.onnx");
    write(p, bytes.substr(0, bytes.size() / 2));
    const std::string msg = error_of([&] { extract_onnx_graph(p, 1); });
    ASSERT_FALSE(msg.empty());
    EXPECT_NE(msg.find(p), std::string::npos) << msg;
    EXPECT_NE(msg.find("not a valid ONNX model"), std::string::npos) << msg;
}

TEST(OnnxErrors, TextFileNamedOnnxIsRejected) {
    TempDir d;
    const std::string p = d.file("notes.onnx");
    write(p, "this is not a network\njust some text\n");
    const std::string msg = error_of([&] { extract_onnx_graph(p, 1); });
    ASSERT_FALSE(msg.empty());
    EXPECT_NE(msg.find(p), std::string::npos) << msg;
    EXPECT_NE(msg.find("ONNX"), std::string::npos) << msg;
}

TEST(OnnxErrors, MissingFileIsAnError) {
    const std::string msg = error_of([] { extract_onnx_graph("/nonexistent/x.onnx", 1); });
    EXPECT_NE(msg.find("/nonexistent/x.onnx: cannot open file"), std::string::npos) << msg;
}

TEST(OnnxErrors, BadBatchIsAnError) {
    const std::string msg = error_of([] { extract_onnx_graph(kOnnx + "/tv_alexnet.onnx", 0); });
    EXPECT_NE(msg.find("batch size must be positive"), std::string::npos) << msg;
}

// x[N, 3, H, 8] -> Relu -> y: H stays symbolic after shape inference.
std::string dynamic_model() {
    onnx::ModelProto m;
    m.set_ir_version(7);
    m.add_opset_import()->set_version(11);
    auto* g = m.mutable_graph();
    g->set_name("dyn");
    auto add_vi = [](onnx::ValueInfoProto* v, const std::string& name) {
        v->set_name(name);
        auto* t = v->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto::FLOAT);
        auto* s = t->mutable_shape();
        s->add_dim()->set_dim_param("N");
        s->add_dim()->set_dim_value(3);
        s->add_dim()->set_dim_param("H");
        s->add_dim()->set_dim_value(8);
    };
    add_vi(g->add_input(), "x");
    add_vi(g->add_output(), "y");
    auto* n = g->add_node();
    n->set_op_type("Relu");
    n->set_name("relu0");
    n->add_input("x");
    n->add_output("y");
    return m.SerializeAsString();
}

TEST(OnnxErrors, DynamicShapeNamesTheNode) {
    TempDir d;
    const std::string p = d.file("dynamic.onnx");
    write(p, dynamic_model());
    const std::string msg = error_of([&] { extract_onnx_graph(p, 4); });
    ASSERT_FALSE(msg.empty());
    EXPECT_NE(msg.find(p), std::string::npos) << msg;
    EXPECT_NE(msg.find("dynamic"), std::string::npos) << msg;
}

TEST(OnnxErrors, UnknownOperatorsAreListedAndStrictRejectsThem) {
    const auto g = extract_onnx_graph(kOnnx + "/tiny_unet_resize.onnx", 1);
    const std::vector<std::string> expect = {"Pad", "Resize"};
    EXPECT_EQ(g.unknown_ops, expect);
    ExtractOptions strict;
    strict.strict = true;
    const std::string msg =
        error_of([&] { extract_onnx_graph(kOnnx + "/tiny_attention.onnx", 1, strict); });
    EXPECT_NE(msg.find("tiny_attention.onnx"), std::string::npos) << msg;
    EXPECT_NE(msg.find("MatMul"), std::string::npos) << msg;
    // A network made only of table operators passes strict mode.
    EXPECT_NO_THROW(extract_onnx_graph(kOnnx + "/tv_resnet18.onnx", 1, strict));
}

}  // namespace
