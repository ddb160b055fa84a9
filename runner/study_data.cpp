#include "runner/study_data.h"

#include "common/error.h"
#include "common/h5.h"
#include "data/cell_dataset.h"
#include "data/nnlqp.h"
#include "data/onnx_features.h"
#include "jobs/study.h"

namespace nar::runner {

namespace {

StudyData load_cells(const jobs::JobConfig& cfg) {
    data::CellBenchmarkOptions opt;
    opt.benchmark = cfg.study_def().benchmark;
    opt.target = cfg.target;
    if (!cfg.data_root.empty()) opt.files = {cfg.data_root};
    if (cfg.train_count > 0) {
        opt.split.train_count = cfg.train_count;
    } else {
        opt.split.train_fraction = cfg.fraction;
    }
    opt.split.val_count = cfg.val_count;
    opt.split.test_mode = cfg.test_mode == "rest" ? data::TestMode::Rest : data::TestMode::Whole;
    opt.split.seed = cfg.split_seed;
    opt.tokenizer.op_one_hot = cfg.encoding == "onehot";
    opt.augment_train = cfg.ac_weight > 0;
    opt.drop_degenerate = cfg.latency() && !cfg.keep_degenerate;
    data::CellSamples cs = data::load_cell_samples(opt);

    StudyData d;
    d.train = std::move(cs.train);
    d.val = std::move(cs.val);
    d.test = std::move(cs.test);
    if (opt.benchmark == "nb201" && cfg.target.rfind("accuracy:", 0) == 0 &&
        cfg.data_root.empty()) {
        d.notes.push_back(
            "the bundled NAS-Bench-201 file has test accuracy only: training and validation "
            "targets are test accuracy too (the paper trains on cifar10-valid validation "
            "accuracy)");
    }
    if (opt.benchmark == "nb101" && cfg.data_root.empty()) {
        d.notes.push_back("bundled NAS-Bench-101: " + std::to_string(cs.total_cells) +
                          " cells with validation accuracy only, not the 423,624 of the full "
                          "space");
    }
    if (cs.degenerate_dropped > 0) {
        d.notes.push_back(std::to_string(cs.degenerate_dropped) +
                          " degenerate cells excluded (no input-to-output path; keep them with "
                          "keep_degenerate=true)");
    }
    d.notes.push_back(std::string("test set: ") +
                      (cfg.test_mode == "rest" ? "every cell not used for training or validation"
                                               : "the whole space") +
                      " (" + std::to_string(d.test.size()) + " cells)");
    return d;
}

StudyData load_networks(const jobs::JobConfig& cfg) {
    data::NnlqpSplitOptions split;
    split.kind = cfg.study_def().holdout_split ? data::NnlqpSplitKind::holdout
                                               : data::NnlqpSplitKind::in_domain;
    split.holdout_family = cfg.holdout;
    split.platform = cfg.platform;
    split.val_fraction = cfg.val_fraction;
    split.seed = cfg.split_seed;
    data::NnlqpLoadOptions load;
    load.extract.encoding = data::parse_node_encoding(cfg.encoding);
    data::NnlqpDataset ds = data::load_nnlqp(cfg.data_root, split, load);
    StudyData d;
    d.train = std::move(ds.train);
    d.val = std::move(ds.val);
    d.test = std::move(ds.test);
    if (ds.n_failed > 0) {
        d.notes.push_back(std::to_string(ds.n_failed) +
                          " rows excluded (ONNX missing or unreadable), e.g. " +
                          (ds.failures.empty() ? std::string("?") : ds.failures.front()));
    }
    return d;
}

}  // namespace

StudyData load_study_data(const jobs::JobConfig& cfg) {
    const std::string& b = cfg.study_def().benchmark;
    if (b == "nnlqp") return load_networks(cfg);
    if (b == "nb201" || b == "nb101") return load_cells(cfg);
    throw common::Error("study " + cfg.study + ": no data loader for benchmark '" + b + "'");
}

void save_model_inputs(const std::string& model_path, const jobs::JobConfig& cfg,
                       double target_scale) {
    common::H5File f(model_path, common::H5File::Mode::ReadWrite);
    f.write_attr_string("/", "study", cfg.study);
    f.write_attr_string("/", "encoding", cfg.encoding);
    f.write_attr_string("/", "target", cfg.target);
    f.write_attr_f64("/", "target_scale", target_scale);
}

ModelInputs read_model_inputs(const std::string& model_path) {
    common::H5File f(model_path, common::H5File::Mode::Read);
    if (!f.has_attr("/", "study")) {
        throw common::Error(model_path +
                            ": the model file does not say how its inputs are encoded (save it "
                            "with `nar train --save-model`)");
    }
    ModelInputs in{f.read_attr_string("/", "study"), f.read_attr_string("/", "encoding"),
                   f.read_attr_string("/", "target")};
    if (f.has_attr("/", "target_scale")) in.target_scale = f.read_attr_f64("/", "target_scale");
    return in;
}

}  // namespace nar::runner
