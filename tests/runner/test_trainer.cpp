// Trainer behaviour on real NAS-Bench-201 cells (bundled data), small sizes.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "jobs/result_file.h"
#include "runner/job_runner.h"
#include "runner/signals.h"
#include "runner/study_data.h"
#include "runner/trainer.h"

namespace nar::runner {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> small_nb201() {
    return {{"study", "nb201-accuracy"},
            {"train_count", "64"},
            {"val_count", "32"},
            {"test", "rest"},
            {"hidden", "16"},
            {"layers", "2"},
            {"epochs", "4"},
            {"lr", "1e-3"},
            {"seed", "7"},
            {"threads", "1"}};
}

fs::path temp_dir(const std::string& name) {
    fs::path p = fs::temp_directory_path() / ("nar_test_trainer_" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

class TrainerTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        cfg_ = new nar::jobs::JobConfig(nar::jobs::resolve_job_config(small_nb201()));
        data_ = new StudyData(load_study_data(*cfg_));
        // Keep the test set small: the first 500 cells of the rest.
        data_->test.resize(500);
    }
    static void TearDownTestSuite() {
        delete data_;
        delete cfg_;
    }
    static nar::jobs::JobConfig* cfg_;
    static StudyData* data_;
};
nar::jobs::JobConfig* TrainerTest::cfg_ = nullptr;
StudyData* TrainerTest::data_ = nullptr;

TEST_F(TrainerTest, SameSeedSameNumbersBitForBit) {
    auto comm = make_self_communicator();
    Trainer a(*cfg_, *data_, *comm, "");
    Trainer b(*cfg_, *data_, *comm, "");
    auto ra = a.run(false);
    auto rb = b.run(false);
    ASSERT_EQ(ra.test_pred.size(), 500u);
    EXPECT_EQ(ra.test_pred, rb.test_pred);
    EXPECT_EQ(ra.train_loss, rb.train_loss);
    EXPECT_EQ(ra.val_metric, rb.val_metric);
    EXPECT_EQ(ra.epochs_done, 4);

    nar::jobs::JobConfig other = *cfg_;
    other.seed = 8;
    Trainer c(other, *data_, *comm, "");
    EXPECT_NE(c.run(false).test_pred, ra.test_pred);
}

TEST_F(TrainerTest, ResumeAfterStopGivesTheSameNumbers) {
    auto dir = temp_dir("resume");
    auto comm = make_self_communicator();
    Trainer full(*cfg_, *data_, *comm, (dir / "full.ckpt.h5").string());
    auto ref = full.run(false);

    const std::string ckpt = (dir / "stopped.ckpt.h5").string();
    {
        Trainer first(*cfg_, *data_, *comm, ckpt);
        first.set_epoch_callback([](int epoch) {
            if (epoch == 2) stop_requested() = true;
        });
        auto part = first.run(false);
        stop_requested() = false;
        EXPECT_TRUE(part.interrupted);
        EXPECT_EQ(part.epochs_done, 2);
        ASSERT_TRUE(fs::exists(ckpt));
    }
    Trainer second(*cfg_, *data_, *comm, ckpt);
    auto rest = second.run(true);
    EXPECT_FALSE(rest.interrupted);
    EXPECT_EQ(rest.epochs_done, 4);
    EXPECT_EQ(rest.train_loss, ref.train_loss);
    EXPECT_EQ(rest.val_metric, ref.val_metric);
    EXPECT_EQ(rest.best_epoch, ref.best_epoch);
    EXPECT_EQ(rest.test_pred, ref.test_pred);
}

TEST_F(TrainerTest, CheckpointOfAnotherConfigIsRefused) {
    auto dir = temp_dir("mismatch");
    const std::string ckpt = (dir / "x.ckpt.h5").string();
    auto comm = make_self_communicator();
    nar::jobs::JobConfig two = *cfg_;
    two.epochs = 1;
    Trainer(two, *data_, *comm, ckpt).run(false);
    ASSERT_TRUE(fs::exists(ckpt));
    try {
        Trainer(*cfg_, *data_, *comm, ckpt).run(true);
        FAIL() << "expected an error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("different configuration"), std::string::npos);
    }
}

TEST_F(TrainerTest, LearnsToRankCells) {
    auto comm = make_self_communicator();
    nar::jobs::JobConfig c = *cfg_;
    c.epochs = 6;
    StudyData d = *data_;
    Trainer t(c, d, *comm, "");
    auto out = t.run(false);
    // Untrained predictions are nearly constant; a few epochs must already order
    // held-out cells clearly better than chance.
    std::vector<double> y;
    for (auto& s : d.test) y.push_back(s.target);
    EXPECT_GT(out.val_metric.back(), 0.3);
    EXPECT_LT(out.train_loss.back(), out.train_loss.front());
}

TEST_F(TrainerTest, NonFiniteLossIsAnError) {
    StudyData bad = *data_;
    bad.train[0].target = 0.0;  // relative error divides by the target
    bad.train[1].target = 0.0;
    nar::jobs::JobConfig c = *cfg_;
    c.batch_size = 64;  // every batch holds the zero targets
    auto comm = make_self_communicator();
    Trainer t(c, bad, *comm, "");
    try {
        t.run(false);
        FAIL() << "expected an error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("non-finite training loss"), std::string::npos);
    }
}

TEST(JobRunner, FailedJobWritesAFailedResult) {
    auto dir = temp_dir("failed");
    jobs::JobSpec spec;
    spec.id = "t/fail/r00";
    spec.params = {{"study", "nb201-accuracy"}, {"train_count", "20000"}, {"epochs", "1"}};
    spec.result_path = (dir / "r00.h5").string();
    auto comm = make_self_communicator();
    auto o = run_job(spec, *comm);
    EXPECT_EQ(o.end, nar::jobs::JobStatus::failed);
    ASSERT_TRUE(fs::exists(spec.result_path));
    auto r = jobs::read_result(spec.result_path);
    EXPECT_EQ(r.status, nar::jobs::JobStatus::failed);
    EXPECT_FALSE(r.error.empty());
    EXPECT_EQ(r.job_id, "t/fail/r00");
}

TEST(JobRunner, DoneJobWritesMetricsAndRemovesItsCheckpoint) {
    auto dir = temp_dir("done");
    jobs::JobSpec spec;
    spec.id = "t/ok/r00";
    spec.params = small_nb201();
    spec.params["epochs"] = "2";
    spec.params.erase("seed");
    spec.seed = 3;
    spec.result_path = (dir / "r00.h5").string();
    auto comm = make_self_communicator();
    auto o = run_job(spec, *comm);
    ASSERT_EQ(o.end, nar::jobs::JobStatus::done) << o.result.error;
    auto r = jobs::read_result(spec.result_path);
    EXPECT_EQ(r.status, nar::jobs::JobStatus::done);
    EXPECT_EQ(r.seed, 3u);
    EXPECT_EQ(r.epochs_done, 2);
    EXPECT_EQ(r.train_loss.size(), 2u);
    EXPECT_EQ(r.predictions.size(), r.targets.size());
    EXPECT_EQ(r.predictions.size(), 15625u - 64u - 32u);
    EXPECT_TRUE(r.metrics.count("kendall_tau"));
    EXPECT_NE(r.config_text.find("seed=3"), std::string::npos);
    EXPECT_FALSE(fs::exists(checkpoint_path_for(spec.result_path)));
}

}  // namespace
}  // namespace nar::runner
