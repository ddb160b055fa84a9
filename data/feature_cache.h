#pragma once
// On-disk cache of extracted ONNX features: one HDF5 file per dataset root and
// encoding, keyed by the ONNX file's content hash + batch size, tagged with the
// encoder version. Loaded whole into memory, so a hit costs a stat() and a map
// lookup; misses are extracted by a thread pool; saving is temp file + rename.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/graph.h"
#include "data/onnx_graph.h"

namespace nar::data {

// Bumped whenever extraction output changes, so stale caches are rebuilt.
constexpr int kOnnxEncoderVersion = 1;
std::string feature_cache_version(const ExtractOptions& options);

// ROOT/.nar_cache/features-<encoding>[-fixed].h5, or CACHE_DIR/<root-hash>-features-...h5
// when cache_dir is given.
std::string default_feature_cache_file(const std::string& root, const ExtractOptions& options,
                                       const std::string& cache_dir = "");

struct GraphRequest {
    std::string path;
    int64_t batch = 1;
};

struct FeatureCacheStats {
    size_t hits = 0, extracted = 0, failed = 0;
};

class FeatureCache {
  public:
    // `file` = "" keeps the cache in memory only. An unreadable or stale
    // (other version) file is ignored with a warning and rebuilt on save().
    FeatureCache(std::string file, ExtractOptions options);

    // Graphs for `requests` (same order). A request that fails gets an empty Graph
    // (num_nodes 0) and its message in (*errors)[i]; successful ones get "".
    std::vector<Graph> get(const std::vector<GraphRequest>& requests, int threads,
                           std::vector<std::string>* errors, FeatureCacheStats* stats = nullptr);

    // Writes the cache if anything was added (temp file + rename). Returns false
    // (with a warning) when the file cannot be written.
    bool save();

    size_t size() const { return entries_.size(); }
    const std::string& file() const { return file_; }

  private:
    struct Entry {
        uint64_t hash = 0;
        int64_t batch = 0;
        int64_t n_unknown = 0;  // operators outside the op table (for strict mode on hits)
        Graph graph;
    };
    struct FileStamp {
        int64_t size = 0, mtime_ns = 0;
        uint64_t hash = 0;
    };
    static uint64_t key_of(uint64_t hash, int64_t batch);
    void load();

    std::string file_;
    ExtractOptions options_;
    std::vector<Entry> entries_;
    std::unordered_map<uint64_t, size_t> index_;         // key_of(hash, batch) -> entry
    std::unordered_map<std::string, FileStamp> stamps_;  // path -> last seen size/mtime/hash
    bool dirty_ = false;
};

}  // namespace nar::data
