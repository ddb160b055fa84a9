#pragma once
// NNLQP latency datasets: a root holding gt.txt or gt_stage.txt
// (`id onnx_path batch latency_ms family platform [stage]`, onnx_path relative to
// the root) and the ONNX files. Parsing and splitting are independent of graph
// loading, so the split logic is testable on the real label file alone.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/graph.h"
#include "data/onnx_graph.h"

namespace nar::data {

struct NnlqpRow {
    int64_t id = 0;
    std::string onnx_path;  // relative to the dataset root, as written in the file
    int64_t batch = 1;
    double latency_ms = 0;
    std::string family;
    std::string platform;
    std::string stage;  // "train" / "test", or "" when the file has no stage column
    int line = 0;       // 1-based line in the label file
};

// gt_stage.txt if present, else gt.txt; throws common::Error if neither exists.
std::string find_nnlqp_labels(const std::string& root);

// Parses a label file. Blank lines and lines starting with '#' are skipped.
// Throws common::Error "FILE:LINE: ..." for a wrong field count, a bad/negative/NaN
// latency, a non-positive batch, a bad id or an unknown stage.
std::vector<NnlqpRow> read_nnlqp_labels(const std::string& path);

enum class NnlqpSplitKind {
    in_domain,  // stage column: train rows -> train/val, test rows -> test
    holdout,    // leave one family out: the other families -> train/val, that family -> test
};

struct NnlqpSplitOptions {
    NnlqpSplitKind kind = NnlqpSplitKind::in_domain;
    std::string holdout_family;  // for holdout
    std::string platform;        // keep only rows of this platform ("" = all)
    double val_fraction = 0.05;  // of each family's training rows, moved to val
    uint64_t seed = 0;           // seeds the shuffle that picks the val rows
};

// Indices into the row vector, each in ascending row order.
struct NnlqpSplit {
    std::vector<size_t> train, val, test;
};

// Throws common::Error for an unknown holdout family (listing the families), an
// in-domain split of a file without stage column, a platform with no rows, or a
// val_fraction outside [0, 1).
NnlqpSplit split_nnlqp(const std::vector<NnlqpRow>& rows, const NnlqpSplitOptions& options);

// Sorted distinct families.
std::vector<std::string> nnlqp_families(const std::vector<NnlqpRow>& rows);

struct NnlqpDataset {
    std::vector<Sample> train, val, test;  // target = latency (ms), group = family, id = row id
    std::vector<std::string> families;
    // Rows left out because their ONNX was missing or failed to load.
    size_t n_failed = 0;
    std::vector<std::string> failures;  // "id N (path): reason", the first few
};

// Turns the split rows into Samples, calling `load_graph` once per row used.
// A row whose loader throws common::Error is excluded and reported (a warning
// with the count, the first ids and reasons), never silently.
using NnlqpGraphLoader = std::function<Graph(const NnlqpRow&)>;
NnlqpDataset assemble_nnlqp(const std::vector<NnlqpRow>& rows, const NnlqpSplit& split,
                            const NnlqpGraphLoader& load_graph);

struct NnlqpLoadOptions {
    ExtractOptions extract;  // encoding, FLOPs mode, strict
    bool use_cache = true;
    std::string cache_dir;  // "" = ROOT/.nar_cache (falls back to no cache if not writable)
    int threads = 0;        // 0 = hardware concurrency
};

// Reads ROOT's labels, splits them, and extracts (or loads from the feature cache)
// the graph of every row used. Throws common::Error when no row at all can be loaded. This is what
// the trainer calls for nnlqp-in-domain (kind in_domain) and nnlqp-unseen (kind holdout,
// holdout_family = the family).
NnlqpDataset load_nnlqp(const std::string& root, const NnlqpSplitOptions& split,
                        const NnlqpLoadOptions& load = {});

}  // namespace nar::data
