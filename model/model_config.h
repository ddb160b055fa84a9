#pragma once
// ModelConfig: every architecture choice of NAR-Former V2 and its ablations
// (paper Tables 5/6) as one plain value. Stored as "key=value" text inside
// model files and result files, so a model can always be rebuilt exactly.
#include <map>
#include <string>
#include <vector>

namespace nar::model {

enum class Task { Latency, Accuracy };
enum class Structure { Transformer, Gnn };
enum class Attention { Local, Global };
enum class Ffn { Grouped, Dense };

struct ModelConfig {
    Task task = Task::Latency;
    Structure structure = Structure::Transformer;
    Attention attention = Attention::Local;
    bool ta_enhance = true;  // type-aware degree gate in each attention layer
    Ffn ffn = Ffn::Grouped;
    int node_dim = 152;   // 152 latency PE, 44 raw (GNN baseline), 128 NB cells
    int static_dim = 40;  // 40 latency, 4 raw (GNN baseline), 0 accuracy
    int hidden = 512;     // D
    int fc_hidden = 512;  // F (paper: = D)
    int layers = 2;       // L
    int ffn_ratio = 4;
    int groups = 8;
    double dropout = 0.05;
    double gamma_init = 1e-4;  // layer scale initial value

    // Paper settings: "latency" (2 layers / 512), "accuracy" (6 layers / 512),
    // "latency_gnn" (the GraphSAGE baseline, 44-d nodes, 4 static numbers).
    static ModelConfig preset(const std::string& name);

    // Throws common::Error naming the offending field.
    void validate() const;

    // Sets one field from text (keys as in to_text()); unknown key or bad value -> Error.
    void set(const std::string& key, const std::string& value);

    // Stable "key=value" lines, one per field, fixed order.
    std::string to_text() const;
    // Parses to_text() output (blank lines and '#' comments allowed), then validates.
    static ModelConfig from_text(const std::string& text);

    bool operator==(const ModelConfig& o) const { return to_text() == o.to_text(); }
    bool operator!=(const ModelConfig& o) const { return !(*this == o); }
};

// `base` with fields set from text (keys as in to_text()). The head width
// follows a new hidden size unless fc_hidden is given too (paper: F = D); this
// is the one place that rule lives (`nar model info`, `nar train`, sweeps).
ModelConfig with_overrides(ModelConfig base, const std::map<std::string, std::string>& overrides);

// to_text() as key -> value.
std::map<std::string, std::string> config_fields(const ModelConfig& c);

// The names an enum-valued key takes, in enum order ({"local", "global"} for
// "attention"); empty for other keys.
std::vector<std::string> allowed_values(const std::string& key);

std::string to_string(Task v);
std::string to_string(Structure v);
std::string to_string(Attention v);
std::string to_string(Ffn v);

}  // namespace nar::model
