// Result files: round trip, the documented layout, atomic replacement.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/h5.h"
#include "jobs/result_file.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using nar::jobs::read_result;
using nar::jobs::result_is_complete;
using nar::jobs::write_result;
using nar::jobs::testing::sample_result;
using nar::jobs::testing::scratch_dir;

TEST(ResultFile, RoundTripKeepsEveryField) {
    auto dir = scratch_dir("roundtrip");
    auto r = sample_result("table2/alexnet/r03", "nnlqp-unseen", 0.125);
    r.group_metrics["a/b%c"] = {{"mape", 0.5}};  // needs escaping in the HDF5 name
    r.group_metrics[""] = {{"mape", 0.75}};
    const std::string path = (dir / "table2/alexnet/r03.h5").string();
    write_result(path, r);  // creates the directories
    ASSERT_TRUE(result_is_complete(path));
    EXPECT_FALSE(fs::exists(path + ".tmp"));

    auto back = read_result(path);
    EXPECT_EQ(back.job_id, r.job_id);
    EXPECT_EQ(back.study, r.study);
    EXPECT_EQ(back.status, nar::jobs::JobStatus::done);
    EXPECT_EQ(back.error, "");
    EXPECT_EQ(back.config_text, r.config_text);
    EXPECT_EQ(back.seed, r.seed);
    EXPECT_EQ(back.config_hash, r.config_hash);
    EXPECT_EQ(back.start_time, r.start_time);
    EXPECT_EQ(back.end_time, r.end_time);
    EXPECT_EQ(back.wall_seconds, r.wall_seconds);
    EXPECT_EQ(back.ranks, 2);
    EXPECT_EQ(back.device, "cpu");
    EXPECT_EQ(back.host, "node1");
    EXPECT_EQ(back.code_version, r.code_version);
    EXPECT_EQ(back.gemm_library, "oneDNN 2.6.3");
    EXPECT_EQ(back.attempt, 1);
    EXPECT_EQ(back.predictions, r.predictions);
    EXPECT_EQ(back.targets, r.targets);
    EXPECT_EQ(back.groups, r.groups);
    EXPECT_EQ(back.sample_ids, r.sample_ids);
    EXPECT_EQ(back.train_loss, r.train_loss);
    EXPECT_EQ(back.val_metric, r.val_metric);
    EXPECT_EQ(back.lr, r.lr);
    EXPECT_EQ(back.val_metric_name, "mape");
    EXPECT_EQ(back.best_epoch, 1);
    EXPECT_EQ(back.epochs_done, 3);
    EXPECT_EQ(back.metrics, r.metrics);
    EXPECT_EQ(back.group_metrics, r.group_metrics);
    fs::remove_all(dir);
}

TEST(ResultFile, LayoutIsTheDocumentedOne) {
    auto dir = scratch_dir("layout");
    const std::string path = (dir / "r.h5").string();
    write_result(path, sample_result("t/r00", "nnlqp-in-domain", 0.03));
    nar::common::H5File f(path, nar::common::H5File::Mode::Read);
    for (const char* a :
         {"job_id", "study", "status", "error", "seed", "config_hash", "start_time", "end_time",
          "wall_seconds", "ranks", "device", "host", "code_version", "blas_core", "gemm_library",
          "attempt", "best_epoch", "epochs_done", "val_metric_name"}) {
        EXPECT_TRUE(f.has_attr("/", a)) << a;
    }
    EXPECT_EQ(f.read_attr_string("/", "status"), "done");
    EXPECT_EQ(f.read_attr_i64("/", "seed"), 12345);
    EXPECT_EQ(f.read_string("config"), "epochs=3\nstudy=nnlqp-in-domain\n");
    EXPECT_EQ(f.read_f64("test/predictions"), (std::vector<double>{1.0, 2.5, 3.25}));
    EXPECT_EQ(f.read_strings("test/groups"), (std::vector<std::string>{"alexnet", "vgg16", ""}));
    EXPECT_EQ(f.read_i64("test/sample_ids"), (std::vector<int64_t>{7, 8, 9}));
    EXPECT_EQ(f.read_f64("epochs/lr").size(), 3u);
    EXPECT_EQ(f.read_attr_f64("metrics", "mape"), 0.03);
    EXPECT_EQ(f.read_attr_f64("group_metrics/vgg16", "mape"), 0.015);
    f.close();
    fs::remove_all(dir);
}

TEST(ResultFile, FailedWriteLeavesNoFileAndKeepsTheOldOne) {
    auto dir = scratch_dir("atomic");
    const std::string path = (dir / "job.h5").string();
    auto bad = sample_result("t/r00", "nnlqp-unseen", 0.1);
    bad.targets.pop_back();  // inconsistent lengths: rejected mid-write
    EXPECT_THROW(write_result(path, bad), nar::common::Error);
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".tmp"));

    // A complete older file survives a failed rewrite untouched.
    write_result(path, sample_result("t/r00", "nnlqp-unseen", 0.1));
    EXPECT_THROW(write_result(path, bad), nar::common::Error);
    ASSERT_TRUE(result_is_complete(path));
    EXPECT_EQ(read_result(path).metrics.at("mape"), 0.1);

    // Cannot even create the temporary file: clear error naming the path.
    fs::create_directories(dir / "blocked.h5.tmp");
    try {
        write_result((dir / "blocked.h5").string(), sample_result("t/r01", "x", 0.1));
        FAIL() << "expected an error";
    } catch (const nar::common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("blocked.h5"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "blocked.h5"));
    fs::remove_all(dir);
}

TEST(ResultFile, LeftOverTmpIsIgnoredAndReplaced) {
    auto dir = scratch_dir("tmp");
    const std::string path = (dir / "job.h5").string();
    { std::ofstream(path + ".tmp") << "half a file from a crashed writer"; }
    EXPECT_FALSE(result_is_complete(path));
    EXPECT_FALSE(result_is_complete(path + ".tmp"));
    write_result(path, sample_result("t/r00", "nnlqp-unseen", 0.2));
    EXPECT_TRUE(result_is_complete(path));
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    fs::remove_all(dir);
}

TEST(ResultFile, ReadErrorsNameTheFile) {
    auto dir = scratch_dir("errors");
    const std::string missing = (dir / "nope.h5").string();
    try {
        read_result(missing);
        FAIL();
    } catch (const nar::common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("nope.h5"), std::string::npos);
    }
    const std::string junk = (dir / "junk.h5").string();
    std::ofstream(junk) << "not hdf5";
    EXPECT_THROW(read_result(junk), nar::common::Error);
    EXPECT_FALSE(result_is_complete(junk));
    // An HDF5 file that is not a result file.
    {
        nar::common::H5File f((dir / "other.h5").string(), nar::common::H5File::Mode::Truncate);
        f.write_string("x", "y");
    }
    try {
        read_result((dir / "other.h5").string());
        FAIL();
    } catch (const nar::common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("not a nar result file"), std::string::npos);
    }
    EXPECT_FALSE(result_is_complete((dir / "other.h5").string()));
    fs::remove_all(dir);
}

TEST(ResultFile, FailedJobRoundTrip) {
    auto dir = scratch_dir("failed");
    nar::jobs::JobResult r;
    r.job_id = "table1/r05";
    r.study = "nnlqp-in-domain";
    r.status = nar::jobs::JobStatus::failed;
    r.error = "NaN loss at epoch 3";
    r.attempt = 2;
    const std::string path = (dir / "f.h5").string();
    write_result(path, r);
    EXPECT_TRUE(result_is_complete(path));  // complete, even though the job failed
    auto back = read_result(path);
    EXPECT_EQ(back.status, nar::jobs::JobStatus::failed);
    EXPECT_EQ(back.error, "NaN loss at epoch 3");
    EXPECT_EQ(back.attempt, 2);
    EXPECT_TRUE(back.predictions.empty());
    EXPECT_TRUE(back.metrics.empty());
    fs::remove_all(dir);
}

}  // namespace

namespace {

// The message of the nar::common::Error that `f` throws ("" when none).
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const nar::common::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

// H5File's attribute reads name the file and the attribute when it is missing
// or is not of the type asked for.
TEST(H5Attributes, MissingOrUnreadableAttributeNamesFileAndAttribute) {
    using nar::common::H5File;
    const std::string path = (scratch_dir("h5attr") / "a.h5").string();
    {
        H5File f(path, H5File::Mode::Truncate);
        f.write_attr_string("/", "name", "x");
        f.write_attr_f64("/", "rate", 0.5);
        f.write_attr_i64("/", "seed", 7);
    }
    H5File f(path, H5File::Mode::Read);
    EXPECT_EQ(f.read_attr_string("/", "name"), "x");
    EXPECT_EQ(f.read_attr_f64("/", "rate"), 0.5);
    EXPECT_EQ(f.read_attr_i64("/", "seed"), 7);
    const std::string missing = path + ": no attribute 'gone' on '/'";
    EXPECT_EQ(error_of([&] { f.read_attr_string("/", "gone"); }), missing);
    EXPECT_EQ(error_of([&] { f.read_attr_f64("/", "gone"); }), missing);
    EXPECT_EQ(error_of([&] { f.read_attr_i64("/", "gone"); }), missing);
    EXPECT_EQ(error_of([&] { f.read_attr_f64("/", "name"); }),
              path + ": cannot read attribute 'name'");
    EXPECT_EQ(error_of([&] { f.read_attr_i64("/", "name"); }),
              path + ": cannot read attribute 'name'");
}
