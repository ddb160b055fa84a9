#pragma once
// One call from a benchmark name to train/val/test Samples (paper tables 3 and 4).
#include <string>
#include <vector>

#include "data/cell.h"
#include "data/graph.h"
#include "data/nas_split.h"
#include "data/tokenizer.h"

namespace nar::data {

struct CellBenchmarkOptions {
    std::string benchmark = "nb201";  // "nb201" | "nb101"
    // nb201: accuracy:cifar10 | accuracy:cifar100 | accuracy:imagenet16-120 |
    //        latency:<device column>;  nb101: accuracy:validation | accuracy:test (tfrecord)
    //        | params
    std::string target = "accuracy:cifar10";
    // Empty: the bundled files. nb201: the accuracy and/or latency CSV (told apart by
    // header); nb101: any mix of CSVs and *.tfrecord files. A directory stands for the
    // known names in it or in its nb201/ | nb101/ subdirectory (nb201_cifar_accuracy.csv,
    // nb201_latency_27_devices.csv | nasbench_only108.tfrecord, else nb101_1k.csv,
    // nb101_500.csv).
    std::vector<std::string> files;
    NasSplitOptions split;
    TokenizerOptions tokenizer;
    bool augment_train = false;  // AC partners for the training samples
    // NB201: drop cells whose `none` edges cut every input-to-output path
    // (data/nb201_degenerate.h) before the split; their latency is ~0.01 ms and
    // dominates a relative loss.
    bool drop_degenerate = false;
};

struct CellSamples {
    std::vector<Sample> train, val, test;
    int64_t total_cells = 0;
    int64_t degenerate_dropped = 0;
};

// Loads the cells of "nb201" or "nb101" from `paths` as in CellBenchmarkOptions::files
// (bundled data when empty).
std::vector<Cell> load_cells(const std::string& benchmark, const std::vector<std::string>& paths);

CellSamples load_cell_samples(const CellBenchmarkOptions& opt);

}  // namespace nar::data
