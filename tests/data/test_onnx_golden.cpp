// Parity with the reference's extract_graph_feature (tests/fixtures/golden/features).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/h5.h"
#include "data/onnx_graph.h"
#include "data/pe_trans.h"
#include "tests/common/test_helpers.h"

namespace {

using nar::common::H5File;
using nar::data::extract_onnx_graph;
using nar::data::ExtractOptions;
using nar::data::NodeEncoding;

const std::string kGolden = std::string(NAR_FIXTURES) + "/golden";

const std::vector<std::string>& kNets = nar::test::golden_networks();

struct Case {
    std::string net;
    int64_t batch;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.net << " batch " << c.batch; }

std::vector<Case> all_cases() {
    std::vector<Case> c;
    for (const auto& n : kNets)
        for (int64_t b : {1, 8}) c.push_back({n, b});
    return c;
}

std::string case_name(const testing::TestParamInfo<Case>& i) {
    std::string s = i.param.net + "_b" + std::to_string(i.param.batch);
    for (auto& ch : s)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return s;
}

class OnnxGolden : public testing::TestWithParam<Case> {
  protected:
    std::string golden_path() const {
        return kGolden + "/features/" + GetParam().net + "_b" + std::to_string(GetParam().batch) +
               ".h5";
    }
    std::string onnx_path() const { return kGolden + "/onnx/" + GetParam().net + ".onnx"; }
};

TEST_P(OnnxGolden, GoldenFeaturesMatchReference) {
    H5File f(golden_path(), H5File::Mode::Read);
    const auto g = extract_onnx_graph(onnx_path(), GetParam().batch);

    // Nodes: same names in the same (topological) order, same types.
    const auto names = f.read_strings("node_names");
    const auto types = f.read_strings("op_types");
    ASSERT_EQ(g.node_names, names);
    ASSERT_EQ(g.op_types, types);
    ASSERT_EQ(g.graph.num_nodes, static_cast<int64_t>(names.size()));
    ASSERT_EQ(g.graph.feat_dim, 152);

    nar::common::Shape xs;
    const auto x = f.read_f32("x", &xs);
    ASSERT_EQ(x.size(), g.graph.x.size());
    double worst = 0;
    size_t worst_i = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double d = std::fabs(static_cast<double>(x[i]) - g.graph.x[i]);
        if (d > worst) worst = d, worst_i = i;
    }
    EXPECT_LE(worst, 1e-5) << "node " << names[worst_i / 152] << " column " << worst_i % 152
                           << ": ours " << g.graph.x[worst_i] << " reference " << x[worst_i];

    // Directed edges, sorted by (src, dst) in both.
    nar::common::Shape es;
    const auto e = f.read_i64("edges", &es);
    ASSERT_EQ(es.size(), 2u);
    ASSERT_EQ(g.graph.edges.size(), es[0]);
    for (size_t i = 0; i < es[0]; ++i) {
        EXPECT_EQ(g.graph.edges[i].first, e[2 * i]) << "edge " << i;
        EXPECT_EQ(g.graph.edges[i].second, e[2 * i + 1]) << "edge " << i;
    }

    // FLOPs / params / memory access: exactly the reference's float64 sums.
    const auto sr = f.read_f64("static_raw");
    ASSERT_EQ(sr.size(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(g.static_raw[i], sr[i]) << "static_raw[" << i << "]";
    const auto st = f.read_f32("static");
    ASSERT_EQ(st.size(), g.graph.static_feat.size());
    for (size_t i = 0; i < st.size(); ++i)
        EXPECT_NEAR(g.graph.static_feat[i], st[i], 1e-5) << "static[" << i << "]";
}

TEST_P(OnnxGolden, GoldenRawEncodingUsesReferenceNumbers) {
    H5File f(golden_path(), H5File::Mode::Read);
    ExtractOptions opt;
    opt.encoding = NodeEncoding::raw;
    const auto g = extract_onnx_graph(onnx_path(), GetParam().batch, opt);
    ASSERT_EQ(g.graph.feat_dim, 44);
    const auto x = f.read_f32("x");
    const auto attr = f.read_f32("attr_raw");
    const auto shp = f.read_i64("output_shapes");
    const int64_t n = g.graph.num_nodes;
    for (int64_t r = 0; r < n; ++r) {
        const float* row = g.graph.x.data() + r * 44;
        for (int c = 0; c < 32; ++c) ASSERT_EQ(row[c], x[r * 152 + c]) << "node " << r;
        for (int c = 0; c < 8; ++c) ASSERT_EQ(row[32 + c], attr[r * 8 + c]) << "node " << r;
        for (int c = 0; c < 4; ++c)
            ASSERT_EQ(row[40 + c], static_cast<float>(shp[r * 4 + c])) << "node " << r;
    }
    const auto sin = f.read_f64("static_in");
    ASSERT_EQ(g.graph.static_feat.size(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(g.graph.static_feat[i], static_cast<float>(sin[i]));
}

TEST_P(OnnxGolden, GoldenOpPeEncodingReplacesOneHotOnly) {
    H5File f(golden_path(), H5File::Mode::Read);
    ExtractOptions opt;
    opt.encoding = NodeEncoding::op_pe;
    const auto g = extract_onnx_graph(onnx_path(), GetParam().batch, opt);
    const auto pe = extract_onnx_graph(onnx_path(), GetParam().batch);
    const auto& x = pe.graph.x;
    const auto code = f.read_i64("op_code");
    for (int64_t r = 0; r < g.graph.num_nodes; ++r) {
        const float* row = g.graph.x.data() + r * 152;
        float expect[32] = {0};
        if (code[r] >= 0) nar::data::pe_trans(static_cast<float>(code[r]), 16, expect);
        for (int c = 0; c < 32; ++c) ASSERT_EQ(row[c], expect[c]) << "node " << r;
        for (int c = 32; c < 152; ++c) ASSERT_EQ(row[c], x[r * 152 + c]) << "node " << r;
    }
}

INSTANTIATE_TEST_SUITE_P(Nets, OnnxGolden, testing::ValuesIn(all_cases()), case_name);

TEST(OnnxGolden, GoldenPeTransMatchesReferenceEmbedder) {
    H5File f(kGolden + "/tokenizer/pe.h5", H5File::Mode::Read);
    const auto xs = f.read_f32("x_float32");
    const auto ref = f.read_f32("trans5_float32");
    ASSERT_EQ(ref.size(), xs.size() * 10);
    for (size_t i = 0; i < xs.size(); ++i) {
        float out[10];
        nar::data::pe_trans(xs[i], 5, out);
        for (int j = 0; j < 10; ++j) EXPECT_NEAR(out[j], ref[i * 10 + j], 1e-7) << "x=" << xs[i];
    }
    const auto vin = f.read_f32("trans5_vector_in");
    const auto vout = f.read_f32("trans5_vector_out");
    ASSERT_EQ(vin.size(), 8u);
    ASSERT_EQ(vout.size(), 80u);
    float out[80];
    nar::data::pe_trans_vector(vin.data(), 8, 5, out);
    for (int j = 0; j < 80; ++j) EXPECT_NEAR(out[j], vout[j], 1e-7) << j;
}

}  // namespace
