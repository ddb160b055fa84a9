// Sweep files: expansion, ids, seeds, overrides, error messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/error.h"
#include "common/fnv1a.h"
#include "jobs/job_id.h"
#include "jobs/sweep_plan.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using nar::jobs::JobSpec;
using nar::jobs::load_sweep;
using nar::jobs::SweepPlan;

const std::string kExamples = std::string(NAR_SOURCE_DIR) + "/examples/";
const std::vector<std::string> kPaperVars = {"nnlqp_root=/data/nnlqp",
                                             "nb101_tfrecord=/data/nb101.tfrecord"};

std::map<std::string, int> count_by_table(const SweepPlan& p) {
    std::map<std::string, int> n;
    for (const auto& j : p.jobs) n[j.id.substr(0, j.id.find('/'))] += 1;
    return n;
}

const JobSpec& find_job(const SweepPlan& p, const std::string& id) {
    for (const auto& j : p.jobs) {
        if (j.id == id) return j;
    }
    throw std::runtime_error("no job " + id);
}

// Writes a sweep file in a scratch directory and returns its path.
std::string write_sweep(const std::string& name, const std::string& text) {
    static fs::path dir = nar::jobs::testing::scratch_dir("sweep");
    std::string path = (dir / (name + ".toml")).string();
    std::ofstream(path) << text;
    return path;
}

// The message of the common::Error that load_sweep throws.
std::string load_error(const std::string& path, const std::vector<std::string>& ov = {}) {
    try {
        load_sweep(path, ov);
    } catch (const nar::common::Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(SweepPlan, PaperExpandsEveryTable) {
    SweepPlan p = load_sweep(kExamples + "paper.toml", kPaperVars);
    EXPECT_EQ(p.name, "paper");
    EXPECT_EQ(p.out_dir, "results/paper");
    auto n = count_by_table(p);
    EXPECT_EQ(n["table1"], 12);
    EXPECT_EQ(n["table2"], 10 * 12);
    EXPECT_EQ(n["table3"], 2 * 12);
    EXPECT_EQ(n["table4"], 2 * 12);
    EXPECT_EQ(n["table5"], 6 * 12);
    EXPECT_EQ(n["table6"], 2 * 12);
    EXPECT_EQ(p.jobs.size(), 276u);

    const JobSpec& j = find_job(p, "table2/efficientb0/r07");
    EXPECT_EQ(j.params.at("study"), "nnlqp-unseen");
    EXPECT_EQ(j.params.at("holdout"), "efficientb0");
    EXPECT_EQ(j.params.at("data_root"), "/data/nnlqp");  // ${nnlqp_root} substituted
    EXPECT_EQ(j.result_path, "results/paper/table2/efficientb0/r07.h5");
    EXPECT_EQ(find_job(p, "table6/local/r03").params.at("attention"), "local");
    EXPECT_EQ(find_job(p, "table6/local/r03").params.at("holdout"), "efficientb0");
    EXPECT_EQ(find_job(p, "table3/0.001/r11").params.at("fraction"), "0.001");
    EXPECT_EQ(find_job(p, "table4/0.1/r00").params.at("fraction"), "0.1");
    EXPECT_EQ(find_job(p, "table5/row4/r00").params.at("variant"), "row4");
    EXPECT_EQ(find_job(p, "table1/r00").params.count("holdout"), 0u);
    // Repeats r00..r11, innermost; values in file order.
    EXPECT_EQ(p.jobs[0].id, "table1/r00");
    EXPECT_EQ(p.jobs[11].id, "table1/r11");
    EXPECT_EQ(p.jobs[12].id, "table2/alexnet/r00");
    EXPECT_EQ(p.jobs[24].id, "table2/efficientb0/r00");
}

TEST(SweepPlan, PaperNeedsItsDataVariables) {
    std::string msg = load_error(kExamples + "paper.toml");
    EXPECT_NE(msg.find("paper.toml:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("${nnlqp_root} is empty"), std::string::npos) << msg;
}

TEST(SweepPlan, QuickExpands) {
    SweepPlan p = load_sweep(kExamples + "quick.toml", {});
    auto n = count_by_table(p);
    EXPECT_EQ(n["nb201_acc"], 2 * 12);
    EXPECT_EQ(n["nb201_acc_gnn"], 12);
    EXPECT_EQ(n["nb201_lat"], 2 * 12);
    EXPECT_EQ(p.jobs.size(), 60u);
    const JobSpec& lat = find_job(p, "nb201_lat/latency_gold_6226/r05");
    EXPECT_EQ(lat.params.at("target"), "latency:gold_6226");
    EXPECT_EQ(lat.params.at("epochs"), "30");  // from [defaults]
    EXPECT_EQ(find_job(p, "nb201_acc/global/r00").params.at("structure"), "transformer");
    EXPECT_EQ(find_job(p, "nb201_acc_gnn/r11").params.at("structure"), "gnn");
}

TEST(SweepPlan, IdsSeedsAndHashesAreStable) {
    SweepPlan a = load_sweep(kExamples + "paper.toml", kPaperVars);
    SweepPlan b = load_sweep(kExamples + "paper.toml", kPaperVars);
    ASSERT_EQ(a.jobs.size(), b.jobs.size());
    std::set<uint64_t> seeds;
    std::set<std::string> ids;
    for (size_t i = 0; i < a.jobs.size(); ++i) {
        EXPECT_EQ(a.jobs[i].id, b.jobs[i].id);
        EXPECT_EQ(a.jobs[i].seed, b.jobs[i].seed);
        EXPECT_EQ(a.jobs[i].config_hash, b.jobs[i].config_hash);
        EXPECT_EQ(a.jobs[i].seed, nar::jobs::seed_from_id(a.jobs[i].id));
        EXPECT_LT(a.jobs[i].seed, 1ULL << 31);
        EXPECT_EQ(a.jobs[i].config_hash.size(), 16u);
        seeds.insert(a.jobs[i].seed);
        ids.insert(a.jobs[i].id);
    }
    EXPECT_EQ(seeds.size(), a.jobs.size()) << "seeds must be distinct";
    EXPECT_EQ(ids.size(), a.jobs.size());
    // Pinned values: FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3).
    EXPECT_EQ(nar::common::fnv1a64(""), 0xcbf29ce484222325ULL);
    EXPECT_EQ(nar::common::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_EQ(nar::jobs::seed_from_id("a"), 0x0601ec8cULL);
    // Repeats share the config, hence the hash; other configs differ.
    EXPECT_EQ(find_job(a, "table2/vgg16/r00").config_hash,
              find_job(a, "table2/vgg16/r05").config_hash);
    EXPECT_NE(find_job(a, "table2/vgg16/r00").config_hash,
              find_job(a, "table2/alexnet/r00").config_hash);
    // Adding a study leaves the ids and seeds of the others alone.
    SweepPlan c = load_sweep(kExamples + "paper.toml",
                             {"nnlqp_root=/data/nnlqp", "nb101_tfrecord=/x", "repeats=12"});
    EXPECT_EQ(find_job(c, "table5/row2/r04").seed, find_job(a, "table5/row2/r04").seed);
}

TEST(SweepPlan, CartesianProductInFileOrder) {
    auto path = write_sweep("product", R"(
repeats = 2
[studies.t]
study = "nnlqp-unseen"
data_root = "/d"
holdout = ["a", "b", "c"]
attention = ["local", "global"]
)");
    SweepPlan p = load_sweep(path, {});
    ASSERT_EQ(p.jobs.size(), 3u * 2 * 2);
    EXPECT_EQ(p.jobs[0].id, "t/a/local/r00");
    EXPECT_EQ(p.jobs[1].id, "t/a/local/r01");
    EXPECT_EQ(p.jobs[2].id, "t/a/global/r00");
    EXPECT_EQ(p.jobs[4].id, "t/b/local/r00");
    EXPECT_EQ(p.jobs.back().id, "t/c/global/r01");
    EXPECT_EQ(p.out_dir, "results/product");  // default: results/<file stem>
}

TEST(SweepPlan, OverridesTopLevelAndPerStudy) {
    auto path = write_sweep("ov", R"(
name = "ov"
[vars]
root = "/data"
[defaults]
epochs = 50
hidden = 128
[studies.a]
study = "nb201-accuracy"
fraction = 0.05
epochs = 70
[studies.b]
study = "nnlqp-unseen"
data_root = "${root}/nnlqp"
holdout = ["alexnet", "vgg16"]
)");
    SweepPlan base = load_sweep(path, {});
    EXPECT_EQ(base.jobs.size(), 12u * 3);
    EXPECT_EQ(find_job(base, "a/r00").params.at("epochs"), "70");  // study beats defaults
    EXPECT_EQ(find_job(base, "b/alexnet/r00").params.at("epochs"), "50");
    EXPECT_EQ(find_job(base, "b/alexnet/r00").params.at("data_root"), "/data/nnlqp");

    SweepPlan p = load_sweep(
        path, {"repeats=3", "out=/tmp/o", "epochs=2", "hidden=64", "studies.b.epochs=5",
               "root=/other", "lr=1e-4", "studies.b.holdout=[\"mnasnet\"]", "device=cuda:0"});
    EXPECT_EQ(p.jobs.size(), 3u * 2);
    EXPECT_EQ(p.out_dir, "/tmp/o");
    const JobSpec& a = find_job(p, "a/r02");
    EXPECT_EQ(a.params.at("epochs"), "2");  // command line beats the study table
    EXPECT_EQ(a.params.at("hidden"), "64");
    EXPECT_EQ(a.params.at("lr"), "0.0001");
    EXPECT_EQ(a.params.at("device"), "cuda:0");  // bare text for a string key
    EXPECT_EQ(a.result_path, "/tmp/o/a/r02.h5");
    const JobSpec& b = find_job(p, "b/mnasnet/r00");
    EXPECT_EQ(b.params.at("epochs"), "5");  // study-scoped beats top-level
    EXPECT_EQ(b.params.at("data_root"), "/other/nnlqp");
    EXPECT_NE(a.config_hash, find_job(base, "a/r00").config_hash);
    EXPECT_EQ(find_job(p, "a/r00").seed, find_job(base, "a/r00").seed);  // seed from id only
}

TEST(SweepPlan, UnknownKeyNamesFileLineAndKey) {
    auto path = write_sweep("unknown",
                            "repeats = 2\n\n[studies.t]\nstudy = \"nb201-accuracy\"\n"
                            "fraction = 0.05\nepoch = 3\n");
    std::string msg = load_error(path);
    EXPECT_NE(msg.find("unknown.toml:6"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unknown key 'epoch'"), std::string::npos) << msg;
}

TEST(SweepPlan, WrongTypesNameFileLineAndKey) {
    auto path = write_sweep("types",
                            "[defaults]\nepochs = \"ten\"\n[studies.t]\n"
                            "study = \"nb201-accuracy\"\n");
    std::string msg = load_error(path);
    EXPECT_NE(msg.find("types.toml:2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'epochs' must be an integer"), std::string::npos) << msg;

    path = write_sweep("types2",
                       "[studies.t]\nstudy = \"nb201-accuracy\"\n"
                       "ta_enhance = 1\n");
    msg = load_error(path);
    EXPECT_NE(msg.find("types2.toml:3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ta_enhance"), std::string::npos) << msg;

    path = write_sweep("types3",
                       "[studies.t]\nstudy = \"nb201-accuracy\"\n"
                       "variant = [\"row1\", \"row9\"]\n");
    msg = load_error(path);
    EXPECT_NE(msg.find("types3.toml:3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("row9"), std::string::npos) << msg;

    path = write_sweep("types4", "[studies.t]\nstudy = \"nb999\"\n");
    msg = load_error(path);
    EXPECT_NE(msg.find("types4.toml:2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nb201-accuracy"), std::string::npos) << msg;  // lists valid ones
}

TEST(SweepPlan, StructuralErrors) {
    std::string msg = load_error(write_sweep("nostudy", "[studies.t]\nepochs = 3\n"));
    EXPECT_NE(msg.find("nostudy.toml:1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("needs a key 'study'"), std::string::npos) << msg;

    msg = load_error(write_sweep("syntax", "repeats = 2\n[studies.t\n"));
    EXPECT_NE(msg.find("syntax.toml:2"), std::string::npos) << msg;

    msg = load_error(write_sweep("top", "repeat = 2\n[studies.t]\nstudy = \"nb201-accuracy\"\n"));
    EXPECT_NE(msg.find("top.toml:1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'repeat'"), std::string::npos) << msg;

    msg = load_error(write_sweep("undef",
                                 "[studies.t]\nstudy = \"nnlqp-in-domain\"\n"
                                 "data_root = \"${nowhere_defined_xyz}\"\n"));
    EXPECT_NE(msg.find("undef.toml:3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nowhere_defined_xyz"), std::string::npos) << msg;

    msg = load_error(write_sweep("empty", "name = \"x\"\n"));
    EXPECT_NE(msg.find("no [studies.<name>] table"), std::string::npos) << msg;

    EXPECT_NE(load_error("/nonexistent/sweep.toml").find("/nonexistent/sweep.toml"),
              std::string::npos);
}

TEST(SweepPlan, BadOverridesAreErrors) {
    auto path = write_sweep("ovbad", "[studies.t]\nstudy = \"nb201-accuracy\"\nfraction = 0.1\n");
    EXPECT_NE(load_error(path, {"epochs=abc"}).find("'epochs' must be an integer"),
              std::string::npos);
    EXPECT_NE(load_error(path, {"bogus=1"}).find("unknown key 'bogus'"), std::string::npos);
    EXPECT_NE(load_error(path, {"studies.zz.epochs=1"}).find("no [studies.zz]"), std::string::npos);
    EXPECT_NE(load_error(path, {"repeats=0"}).find("repeats"), std::string::npos);
    EXPECT_NE(load_error(path, {"noequals"}).find("key=value"), std::string::npos);
    EXPECT_NE(load_error(path, {"epochs=3"}).find("(no error)"), std::string::npos);
}

TEST(SweepPlan, CostFavoursLongJobs) {
    SweepPlan p = load_sweep(kExamples + "paper.toml", kPaperVars);
    // NNLQP (18,000 graphs × 50 epochs) outweighs NB201 at 5% (781 × 1000 epochs).
    EXPECT_GT(find_job(p, "table2/alexnet/r00").cost_estimate,
              find_job(p, "table4/0.05/r00").cost_estimate);
    EXPECT_GT(find_job(p, "table4/0.1/r00").cost_estimate,
              find_job(p, "table4/0.05/r00").cost_estimate);
}

TEST(JobId, Helpers) {
    int rep = 0;
    EXPECT_EQ(nar::jobs::config_id("table2/efficientnet/local/r07", &rep),
              "table2/efficientnet/local");
    EXPECT_EQ(rep, 7);
    EXPECT_EQ(nar::jobs::config_id("table1/r11"), "table1");
    EXPECT_EQ(nar::jobs::config_id("odd/name", &rep), "odd/name");
    EXPECT_EQ(rep, -1);
    EXPECT_EQ(nar::jobs::sanitize_id_component("Latency:RasPi 4"), "latency_raspi_4");
    EXPECT_EQ(nar::jobs::repeat_tag(3), "r03");
    std::map<std::string, std::string> params{{"b", "2"}, {"a", "x=y"}};
    EXPECT_EQ(nar::jobs::config_text(params), "a=x=y\nb=2\n");
    EXPECT_EQ(nar::jobs::parse_config_text("a=x=y\nb=2\n"), params);
}

}  // namespace
