// The parameter table, the study registry and job resolution: defaults are
// the paper's, every key round-trips through its text form and a sweep file,
// and bad values are refused with the key named.
#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "jobs/job_config.h"
#include "jobs/job_id.h"
#include "jobs/params.h"
#include "jobs/study.h"
#include "jobs/sweep_plan.h"
#include "model/model_config.h"
#include "tests/common/test_helpers.h"

namespace nar::jobs {
namespace {

using test::error_of;

std::map<std::string, std::string> base_params(const StudyDef& s) {
    std::map<std::string, std::string> p = {{"study", s.name}};
    for (const auto& k : s.required) p[k] = "x";
    return p;
}

// A value of the row's type that differs from its default, inside its range.
std::string sample_value(const ParamDef& p) {
    if (!p.allowed.empty()) return p.allowed.back();
    switch (p.type) {
        case ParamType::String:
            return "some/value";
        case ParamType::Int:
            return std::to_string(static_cast<int64_t>(std::min(p.max, std::max(p.min, 3.0))));
        case ParamType::UInt:
            return "1234567890123";  // TOML integers stop at 2^63 - 1
        case ParamType::Float:
            return "0.05";
        case ParamType::Bool:
            return "true";
    }
    return "";
}

TEST(JobConfig, StudyDefaultsAreThePapers) {
    auto nb = resolve_job_config({{"study", "nb201-accuracy"}});
    EXPECT_EQ(nb.epochs, 1000);
    EXPECT_EQ(nb.batch_size, 8);
    EXPECT_DOUBLE_EQ(nb.lr, 1e-4);
    EXPECT_DOUBLE_EQ(nb.sr_weight, 0.1);
    EXPECT_DOUBLE_EQ(nb.ac_weight, 0.5);
    EXPECT_DOUBLE_EQ(nb.fraction, 0.1);
    EXPECT_FALSE(nb.latency());
    auto lat = resolve_job_config({{"study", "nnlqp-in-domain"}, {"data_root", "/x"}});
    EXPECT_EQ(lat.epochs, 50);
    EXPECT_EQ(lat.batch_size, 16);
    EXPECT_DOUBLE_EQ(lat.lr, 1e-3);
    EXPECT_TRUE(lat.latency());
    EXPECT_EQ(lat.study_def().model_preset, "latency");
    EXPECT_DOUBLE_EQ(resolve_job_config({{"study", "nb101-accuracy"}}).fraction, 0.001);
}

TEST(JobConfig, VariantsAndOverrides) {
    auto r1 = resolve_job_config(
        {{"study", "nnlqp-in-domain"}, {"data_root", "/x"}, {"variant", "row1"}});
    EXPECT_EQ(r1.model.at("structure"), "gnn");
    EXPECT_EQ(r1.encoding, "raw");
    auto r4 = resolve_job_config(
        {{"study", "nnlqp-in-domain"}, {"data_root", "/x"}, {"variant", "row4"}, {"hidden", "64"}});
    EXPECT_EQ(r4.model.at("ffn"), "dense");
    EXPECT_EQ(r4.model.at("ta_enhance"), "false");
    EXPECT_EQ(r4.model.at("hidden"), "64");
    EXPECT_NE(r1.to_text(), r4.to_text());
    // An explicit value beats the variant's.
    auto r1raw = resolve_job_config({{"study", "nnlqp-in-domain"},
                                     {"data_root", "/x"},
                                     {"variant", "row1"},
                                     {"encoding", "pe"}});
    EXPECT_EQ(r1raw.encoding, "pe");
}

TEST(JobConfig, ErrorsNameTheProblem) {
    auto msg = [](const std::map<std::string, std::string>& p) {
        return error_of([&] { resolve_job_config(p); });
    };
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"bogus", "1"}}).find("unknown parameter 'bogus'"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "imagenet"}}).find("study=imagenet"), std::string::npos);
    EXPECT_NE(msg({{"study", "nnlqp-unseen"}, {"data_root", "/x"}}).find("holdout"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"lr", "fast"}}).find("lr=fast"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"variant", "row9"}}).find("row1..row6"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"dtype", "half"}}).find("float32"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"precision", "fp8"}}).find("bf16"),
              std::string::npos);
    const std::string mixed =
        msg({{"study", "nb201-accuracy"}, {"precision", "bf16"}, {"dtype", "float64"}});
    EXPECT_NE(mixed.find("precision=bf16 needs dtype=float32"), std::string::npos) << mixed;
    // Ranges: NaN, negative weights, absurd thread counts, seeds past 64 bits.
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"ac_weight", "nan"}}).find("ac_weight=nan"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"sr_weight", "-1"}}).find("sr_weight=-1"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"threads", "100000"}}).find("threads"),
              std::string::npos);
    const std::string seed = msg({{"study", "nb201-accuracy"}, {"seed", "99999999999999999999"}});
    EXPECT_NE(seed.find("seed"), std::string::npos) << seed;
    EXPECT_NE(seed.find("2^64"), std::string::npos) << seed;
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"encoding", "raw"}}).find("pe, onehot"),
              std::string::npos);
}

TEST(JobConfig, ThreadsAreNotPartOfTheIdentity) {
    auto a = resolve_job_config({{"study", "nb201-accuracy"}, {"threads", "1"}});
    auto b = resolve_job_config({{"study", "nb201-accuracy"}, {"threads", "2"}});
    EXPECT_EQ(config_hash(a), config_hash(b));
    EXPECT_NE(a.to_text(), b.to_text());
    auto c = resolve_job_config({{"study", "nb201-accuracy"}, {"epochs", "2"}});
    EXPECT_NE(config_hash(a), config_hash(c));
    // Two spellings of one value are one configuration.
    auto d = resolve_job_config({{"study", "nb201-accuracy"}, {"lr", "1e-4"}});
    auto e = resolve_job_config({{"study", "nb201-accuracy"}, {"lr", "0.0001"}});
    EXPECT_EQ(config_hash(d), config_hash(e));
}

// precision came after sweeps existed: at its default it stays out of the
// identity, so older plans, results and checkpoints keep their hashes; bf16 is
// a different job.
TEST(JobConfig, PrecisionEntersTheIdentityOnlyWhenSet) {
    auto a = resolve_job_config({{"study", "nb201-accuracy"}});
    auto b = resolve_job_config({{"study", "nb201-accuracy"}, {"precision", "bf16"}});
    EXPECT_EQ(a.identity_text().find("precision"), std::string::npos) << a.identity_text();
    EXPECT_NE(b.identity_text().find("precision=bf16\n"), std::string::npos);
    EXPECT_NE(config_hash(a), config_hash(b));
    EXPECT_NE(a.to_text().find("precision=float32\n"), std::string::npos);  // still recorded
}

// Walks the table: every key's value survives text -> config -> text, and a
// sweep file of `key = value` resolves to the same configuration.
TEST(ParamTable, EveryKeyRoundTripsThroughTextAndSweepFiles) {
    test::ScratchDir dir("params");
    for (const auto& p : param_table()) {
        if (p.key == "study") continue;
        for (const auto& s : studies()) {
            auto given = base_params(s);
            const std::string v = sample_value(p);
            if (p.key == "encoding")
                given[p.key] = encodings_for(s.input).back();
            else
                given[p.key] = v;
            if (p.key == "train_count" || p.key == "fraction") given["fraction"] = "0.05";
            JobConfig c = resolve_job_config(given);
            // text -> config -> text
            const std::string text = c.to_text();
            auto back = resolve_job_config(parse_config_text(text));
            EXPECT_EQ(back.to_text(), text) << p.key << " for " << s.name;
            EXPECT_EQ(get_value(c, p), canonical_value(p, given[p.key], "")) << p.key;
            // sweep file
            const std::string file = dir.file("s.toml");
            {
                std::ofstream out(file);
                out << "[studies.t]\n";
                for (const auto& [k, val] : given) {
                    const ParamDef* d = find_param(k);
                    const bool quoted = d->type == ParamType::String;
                    out << k << " = " << (quoted ? "\"" + val + "\"" : val) << "\n";
                }
            }
            auto plan = load_sweep(file, {"repeats=1"});
            ASSERT_EQ(plan.jobs.size(), 1u);
            EXPECT_EQ(plan.jobs[0].config_hash, config_hash(c)) << p.key << " for " << s.name;
        }
    }
}

TEST(ParamTable, ShortestRoundTripDoubles) {
    const ParamDef& lr = *find_param("lr");
    EXPECT_EQ(canonical_value(lr, "0.050000", ""), "0.05");
    EXPECT_EQ(canonical_value(lr, "1e-3", ""), "0.001");
    const ParamDef& e = *find_param("epochs");
    EXPECT_EQ(canonical_value(e, "007", ""), "7");
    EXPECT_NE(error_of([&] { canonical_value(e, "9999999999999999999", ""); }).find("range"),
              std::string::npos);
    EXPECT_NE(error_of([&] { canonical_value(e, "3.5", ""); }).find("epochs=3.5"),
              std::string::npos);
}

// The model's rows take their keys and names from ModelConfig, not a copy.
TEST(ParamTable, ModelRowsAreModelConfigFields) {
    const auto fields = model::config_fields(model::ModelConfig{});
    int model_rows = 0;
    for (const auto& p : param_table()) {
        if (!p.model) continue;
        ++model_rows;
        EXPECT_TRUE(fields.count(p.key)) << p.key;
        EXPECT_EQ(p.allowed, model::allowed_values(p.key)) << p.key;
    }
    EXPECT_GE(model_rows, 8);
    EXPECT_EQ(find_param("attention")->allowed, (std::vector<std::string>{"local", "global"}));
    const std::string e = error_of([] { canonical_value(*find_param("ffn"), "sparse", ""); });
    EXPECT_NE(e.find("grouped, dense"), std::string::npos) << e;
}

TEST(StudyRegistry, CostFollowsTheResolvedDefaults) {
    // The scheduler's cost sees the study's own fraction default (0.10 for NB201
    // accuracy), not a guess.
    auto ten = resolve_job_config({{"study", "nb201-accuracy"}, {"epochs", "10"}});
    auto five =
        resolve_job_config({{"study", "nb201-accuracy"}, {"epochs", "10"}, {"fraction", "0.05"}});
    EXPECT_GT(estimate_cost(ten), estimate_cost(five));
    EXPECT_DOUBLE_EQ(estimate_cost(ten), 10 * (1562.5 + 200) + 15625);
    for (const auto& s : studies()) {
        EXPECT_NE(find_study(s.name), nullptr);
        EXPECT_TRUE(s.primary_metric == "mape" || s.primary_metric == "kendall_tau") << s.name;
        EXPECT_GT(estimate_cost(resolve_job_config(base_params(s))), 0) << s.name;
    }
    EXPECT_TRUE(better_metric(study_def("nnlqp-in-domain"), 0.1, 0.2));
    EXPECT_TRUE(better_metric(study_def("nb201-accuracy"), 0.8, 0.7));
}

}  // namespace
}  // namespace nar::jobs
