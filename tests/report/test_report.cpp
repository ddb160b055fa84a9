// The HTML report: well-formed XML throughout, the expected marks per chart for a
// hand-made results directory, failed and missing runs shown, files written whole.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"
#include "jobs/aggregate.h"
#include "jobs/report/report_html.h"
#include "jobs/report/svg.h"
#include "report_fixture.h"
#include "xml_check.h"

#ifdef NAR_HAVE_PNG
#include <png.h>
#endif

namespace {

namespace fs = std::filesystem;
using nar::jobs::report::Chart;
using nar::jobs::report::Report;
using nar::jobs::report::Section;
using nar::jobs::testing::check_xml;

fs::path scratch(const std::string& name) {
    auto dir =
        fs::temp_directory_path() / ("nar_report_test_" + name + "_" + std::to_string(std::rand()) +
                                     "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

const Section& section(const Report& r, const std::string& anchor) {
    for (const auto& s : r.sections) {
        if (s.anchor == anchor) return s;
    }
    throw std::runtime_error("no section " + anchor);
}

nar::jobs::testing::XmlDoc parsed(const Chart& c) {
    auto doc = check_xml(c.svg);
    EXPECT_TRUE(doc.ok()) << c.name << ": " << doc.error;
    return doc;
}

class ReportFixture : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new fs::path(scratch("fixture"));
        nar::jobs::testing::make_report_fixture(*dir_);
        report_ = new Report(nar::jobs::report::build_report(dir_->string()));
    }
    static void TearDownTestSuite() {
        fs::remove_all(*dir_);
        delete report_;
        delete dir_;
    }
    static fs::path* dir_;
    static Report* report_;
};
fs::path* ReportFixture::dir_ = nullptr;
Report* ReportFixture::report_ = nullptr;

TEST(XmlChecker, AcceptsWellFormedAndRejectsMalformed) {
    EXPECT_TRUE(check_xml("<?xml version=\"1.0\"?>\n<a x=\"1\" y='2'><b/>t&amp;&#233;&#x41;<!-- c "
                          "--><![CDATA[<raw>]]></a>\n")
                    .ok());
    EXPECT_TRUE(check_xml("<!DOCTYPE html>\n<html><meta charset=\"utf-8\"/></html>").ok());
    for (const char* bad :
         {"<a><b></a></b>", "<a x=1/>", "<a>&foo;</a>", "<a/><b/>", "<a x='1' x='2'/>", "<a>&</a>",
          "<a>", "<a x=\"<\"/>", "text", "<a>]]></a>", "<a>&#1;</a>", "<a b=\"1\"c=\"2\"/>"}) {
        EXPECT_FALSE(check_xml(bad).ok()) << bad;
    }
}

TEST(Svg, EscapesTextAndPicksNiceTicks) {
    using namespace nar::jobs::report;
    EXPECT_EQ(xml_escape("<a & \"b\" 'c'>\x01"), "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;");
    Axis a = linear_axis(0.13, 0.77);
    ASSERT_GE(a.ticks.size(), 4u);
    EXPECT_LE(a.ticks.size(), 10u);
    EXPECT_LE(a.ticks.front(), 0.13);
    EXPECT_GE(a.ticks.back(), 0.77);
    const double mant = a.step / std::pow(10.0, std::floor(std::log10(a.step)));
    EXPECT_TRUE(std::fabs(mant - 1) < 1e-9 || std::fabs(mant - 2) < 1e-9 ||
                std::fabs(mant - 5) < 1e-9)
        << a.step;
    for (double t : a.ticks) {
        EXPECT_NEAR(std::remainder(t, a.step), 0.0, 1e-9) << t;
        EXPECT_EQ(a.label(t).find("000000"), std::string::npos) << a.label(t);
    }
    EXPECT_EQ(linear_axis(0, 1).label(0.2), "0.2");
    EXPECT_EQ(linear_axis(0, 100).label(40), "40");
    Axis l = log_axis(0.5, 50);  // two decades: ends and ticks at 1, 2, 5 x 10^k
    EXPECT_DOUBLE_EQ(l.lo, 0.5);
    EXPECT_DOUBLE_EQ(l.hi, 50);
    EXPECT_EQ(l.ticks, (std::vector<double>{0.5, 1, 2, 5, 10, 20, 50}));
    EXPECT_EQ(l.label(0.5), "0.5");
    EXPECT_NEAR(l.frac(5), 0.5, 1e-12);
    Axis wide = log_axis(0.003, 700);  // six decades: decades only
    EXPECT_DOUBLE_EQ(wide.lo, 0.001);
    EXPECT_DOUBLE_EQ(wide.hi, 1000);
    EXPECT_EQ(wide.ticks.size(), 7u);
}

TEST_F(ReportFixture, HtmlAndEverySvgAreWellFormed) {
    const std::string html = nar::jobs::report::render_html(*report_);
    auto doc = check_xml(html);
    ASSERT_TRUE(doc.ok()) << doc.error;
    EXPECT_EQ(doc.count_name("script"), 0);
    EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no fetches
    EXPECT_EQ(html.find("https://"), std::string::npos);
    const auto blocks = nar::jobs::testing::svg_blocks(html);
    size_t charts = 0;
    for (const auto& s : report_->sections)
        charts += s.spread.size() + s.family.size() + s.curves.size() + s.scatter.size();
    EXPECT_EQ(blocks.size(), charts);
    EXPECT_EQ(charts, 3u + 2u + 4u + 4u);  // spreads, family bars, curves, scatters
    for (const auto& b : blocks) EXPECT_TRUE(check_xml(b).ok()) << check_xml(b).error;
}

TEST_F(ReportFixture, SpreadChartsHaveOneDotPerRunAndOneBarPerRow) {
    auto t2 = parsed(section(*report_, "section-table2").spread.at(0));
    EXPECT_EQ(t2.count_class("dot"), 12 + 10);
    EXPECT_EQ(t2.count_class("dropped"), 4);  // best and worst of each configuration
    EXPECT_EQ(t2.count_class("avg-bar"), 2);
    EXPECT_EQ(t2.count_class("paper-mark"), 2);  // AlexNet and VGG have Table 2 numbers
    EXPECT_EQ(t2.count_class("failed-run"), 1);
    EXPECT_EQ(t2.count_class("missing-run"), 1);
    // Table 1: the one configuration's "All" row and one row per family.
    auto t1 = parsed(section(*report_, "section-table1").spread.at(0));
    EXPECT_EQ(t1.count_class("dot"), 3 * 3);
    EXPECT_EQ(t1.count_class("avg-bar"), 3);
    EXPECT_EQ(t1.count_class("paper-mark"), 3);
    EXPECT_EQ(t1.count_class("failed-run") + t1.count_class("missing-run"), 0);
    auto t4 = parsed(section(*report_, "section-table4").spread.at(0));
    EXPECT_EQ(t4.count_class("dot"), 12);
    EXPECT_EQ(t4.count_class("avg-bar"), 1);
    EXPECT_EQ(t4.count_class("paper-mark"), 1);  // tau 0.888 at fraction 0.1
}

TEST_F(ReportFixture, FamilyCurveAndScatterCharts) {
    const auto& t1 = section(*report_, "section-table1");
    ASSERT_EQ(t1.family.size(), 1u);
    auto fam = parsed(t1.family[0]);
    EXPECT_EQ(fam.count_class("family-bar"), 2);
    EXPECT_EQ(fam.count_class("paper-mark"), 2);
    EXPECT_TRUE(section(*report_, "section-table4").family.empty());  // not an NNLQP study

    const auto& t2 = section(*report_, "section-table2");
    ASSERT_EQ(t2.curves.size(), 2u);
    const int runs[2] = {12, 10};
    for (int i = 0; i < 2; ++i) {
        auto c = parsed(t2.curves[i]);
        EXPECT_EQ(c.count_class("median-line"), 1);
        EXPECT_EQ(c.count_class("band"), 1);
        EXPECT_EQ(c.count_class("selected-epoch"), runs[i]);
    }
    ASSERT_EQ(t2.scatter.size(), 2u);
    auto lat = parsed(t2.scatter[0]);
    EXPECT_EQ(lat.count_class("point"), 30);
    EXPECT_EQ(lat.count_class("band10"), 1);
    EXPECT_EQ(lat.count_class("diagonal"), 1);
    const auto& t4 = section(*report_, "section-table4");
    ASSERT_EQ(t4.scatter.size(), 1u);
    auto acc = parsed(t4.scatter[0]);
    EXPECT_EQ(acc.count_class("point"), 40);
    EXPECT_EQ(acc.count_class("band10"), 0);
    EXPECT_NE(t4.scatter[0].svg.find("Kendall tau"), std::string::npos);  // tau in the title
}

TEST_F(ReportFixture, FailedAndMissingRunsAreShownNotAveraged) {
    const std::string html = nar::jobs::report::render_html(*report_);
    EXPECT_NE(html.find("10/12 (1 failed, 1 missing)"), std::string::npos);
    ASSERT_EQ(report_->failed.size(), 1u);
    EXPECT_EQ(report_->failed[0].job_id, "table2/vgg16/r10");
    EXPECT_TRUE(report_->failed[0].log_exists);
    // The failed-runs table shows the error's first line (the notes have all of it).
    EXPECT_NE(html.find("<td class=\"warn\">loss became &lt;NaN&gt; &amp; &quot;diverged&quot; at "
                        "epoch 4</td>"),
              std::string::npos);
    EXPECT_EQ(html.find("second line of the error"), html.rfind("second line of the error"));
    EXPECT_NE(html.find((*dir_ / "table2/vgg16/r10.log").string() + "</td>"), std::string::npos);
    // VGG's avg: the 10 finished runs minus best and worst (0.125 .. 0.160), in %.
    EXPECT_NE(html.find("<td class=\"num\">14.25</td>"), std::string::npos);
    EXPECT_NE(report_->summary.find("1 failed, 1 missing"), std::string::npos);
}

TEST_F(ReportFixture, WritesSvgFilesAndSweepOutputsWhole) {
    const fs::path out = scratch("out");
    const int charts = nar::jobs::report::write_report(dir_->string(), (out / "r.html").string(),
                                                       (out / "svg").string());
    EXPECT_TRUE(check_xml(slurp(out / "r.html")).ok());
    int files = 0;
    for (const auto& e : fs::directory_iterator(out / "svg")) {
        ++files;
        EXPECT_EQ(e.path().extension(), ".svg");
        auto doc = check_xml(slurp(e.path()));
        EXPECT_TRUE(doc.ok()) << e.path() << ": " << doc.error;
    }
    EXPECT_EQ(files, charts);
    EXPECT_TRUE(fs::exists(out / "svg" / "table2-spread.svg"));

    nar::jobs::report::write_sweep_outputs(dir_->string());
    const auto agg = nar::jobs::aggregate_results(dir_->string());
    EXPECT_EQ(slurp(*dir_ / "tables.md"), nar::jobs::render_aggregate(agg, "md", true));
    EXPECT_TRUE(check_xml(slurp(*dir_ / "report.html")).ok());
    for (const auto& e : fs::recursive_directory_iterator(*dir_))
        EXPECT_FALSE(nar::common::is_temporary_name(e.path().string())) << e.path();
    fs::remove_all(out);
}

TEST(Report, MissingDirectoryIsAnErrorAndEmptyOneAPage) {
    EXPECT_THROW(nar::jobs::report::build_report("/nonexistent/nar_results"), nar::common::Error);
    const fs::path dir = scratch("empty");
    const std::string html =
        nar::jobs::report::render_html(nar::jobs::report::build_report(dir.string()));
    EXPECT_TRUE(check_xml(html).ok());
    EXPECT_NE(html.find("no results found"), std::string::npos);
    fs::remove_all(dir);
}

TEST_F(ReportFixture, OneChartRendersToANonBlankPng) {
    if (std::system("command -v rsvg-convert > /dev/null 2>&1") != 0)
        GTEST_SKIP() << "rsvg-convert not installed (Debian package librsvg2-bin)";
#ifndef NAR_HAVE_PNG
    GTEST_SKIP() << "built without libpng: cannot read the PNG back";
#else
    const fs::path out = scratch("png");
    const std::string svg = (out / "spread.svg").string(), png = (out / "spread.png").string();
    std::ofstream(svg) << section(*report_, "section-table2").spread.at(0).svg;
    ASSERT_EQ(std::system(("rsvg-convert -o '" + png + "' '" + svg + "'").c_str()), 0);
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    ASSERT_TRUE(png_image_begin_read_from_file(&img, png.c_str())) << img.message;
    img.format = PNG_FORMAT_RGB;
    std::vector<unsigned char> px(PNG_IMAGE_SIZE(img));
    ASSERT_TRUE(png_image_finish_read(&img, nullptr, px.data(), 0, nullptr)) << img.message;
    EXPECT_GE(img.width, 600u);
    size_t ink = 0, blue = 0;
    for (size_t i = 0; i + 2 < px.size(); i += 3) {
        ink += px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200;
        blue += px[i] < 60 && px[i + 2] > 140;  // the run dots (#0072B2)
    }
    const size_t pixels = px.size() / 3;
    EXPECT_GT(ink, pixels / 100) << "the image is (nearly) blank";
    EXPECT_GT(blue, 100u) << "no run dots drawn";
    fs::remove_all(out);
#endif
}

}  // namespace
