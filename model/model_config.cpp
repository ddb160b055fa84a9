#include "model/model_config.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "common/error.h"

namespace nar::model {

using common::Error;

namespace {

int parse_int(const std::string& key, const std::string& v) {
    size_t used = 0;
    long r = 0;
    try {
        r = std::stol(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != v.size()) {
        throw Error("model config: '" + key + "' needs an integer, got '" + v + "'");
    }
    return static_cast<int>(r);
}

double parse_double(const std::string& key, const std::string& v) {
    size_t used = 0;
    double r = 0;
    try {
        r = std::stod(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != v.size()) {
        throw Error("model config: '" + key + "' needs a number, got '" + v + "'");
    }
    return r;
}

bool parse_bool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "1" || v == "on" || v == "yes") return true;
    if (v == "false" || v == "0" || v == "off" || v == "no") return false;
    throw Error("model config: '" + key + "' needs true|false, got '" + v + "'");
}

// Shortest of 15 or 17 significant digits that reads back exactly (0.05, not
// 0.050000000000000003).
std::string fmt_double(double v) {
    for (int digits : {15, 17}) {
        std::ostringstream os;
        os.precision(digits);
        os << v;
        if (digits == 17 || std::stod(os.str()) == v) return os.str();
    }
    return "";
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

}  // namespace

std::string to_string(Task v) { return v == Task::Latency ? "latency" : "accuracy"; }
std::string to_string(Structure v) { return v == Structure::Transformer ? "transformer" : "gnn"; }
std::string to_string(Attention v) { return v == Attention::Local ? "local" : "global"; }
std::string to_string(Ffn v) { return v == Ffn::Grouped ? "grouped" : "dense"; }

ModelConfig ModelConfig::preset(const std::string& name) {
    ModelConfig c;
    if (name == "latency") {
        return c;  // the defaults are the NNLQP latency settings
    }
    if (name == "accuracy") {
        c.task = Task::Accuracy;
        c.node_dim = 128;
        c.static_dim = 0;
        c.layers = 6;
        return c;
    }
    if (name == "latency_gnn") {
        c.structure = Structure::Gnn;
        c.node_dim = 44;
        c.static_dim = 4;
        return c;
    }
    throw Error("model config: unknown preset '" + name + "' (latency, accuracy, latency_gnn)");
}

void ModelConfig::validate() const {
    auto fail = [](const std::string& m) { throw Error("model config: " + m); };
    if (node_dim < 1) fail("node_dim must be >= 1, got " + std::to_string(node_dim));
    if (static_dim < 0) fail("static_dim must be >= 0, got " + std::to_string(static_dim));
    if (task == Task::Accuracy && static_dim != 0) {
        fail("static_dim must be 0 for task=accuracy, got " + std::to_string(static_dim));
    }
    if (hidden < 1) fail("hidden must be >= 1, got " + std::to_string(hidden));
    if (fc_hidden < 1) fail("fc_hidden must be >= 1, got " + std::to_string(fc_hidden));
    if (layers < 1) fail("layers must be >= 1, got " + std::to_string(layers));
    if (ffn_ratio < 1) fail("ffn_ratio must be >= 1, got " + std::to_string(ffn_ratio));
    if (groups < 1) fail("groups must be >= 1, got " + std::to_string(groups));
    if (structure == Structure::Transformer && ffn == Ffn::Grouped) {
        if (hidden % groups != 0) {
            fail("hidden (" + std::to_string(hidden) + ") is not divisible by groups (" +
                 std::to_string(groups) + ")");
        }
    }
    if (task == Task::Accuracy && (layers * hidden) / 4 < 1) {
        fail("layers*hidden/4 (layer-fusion width) must be >= 1");
    }
    if (!(dropout >= 0.0 && dropout < 1.0))
        fail("dropout must be in [0, 1), got " + fmt_double(dropout));
    if (!std::isfinite(gamma_init)) fail("gamma_init must be finite");
}

void ModelConfig::set(const std::string& key, const std::string& value) {
    const std::string v = trim(value);
    if (key == "task") {
        if (v == "latency")
            task = Task::Latency;
        else if (v == "accuracy")
            task = Task::Accuracy;
        else
            throw Error("model config: task must be latency|accuracy, got '" + v + "'");
    } else if (key == "structure") {
        if (v == "transformer")
            structure = Structure::Transformer;
        else if (v == "gnn")
            structure = Structure::Gnn;
        else
            throw Error("model config: structure must be transformer|gnn, got '" + v + "'");
    } else if (key == "attention") {
        if (v == "local")
            attention = Attention::Local;
        else if (v == "global")
            attention = Attention::Global;
        else
            throw Error("model config: attention must be local|global, got '" + v + "'");
    } else if (key == "ta_enhance") {
        ta_enhance = parse_bool(key, v);
    } else if (key == "ffn") {
        if (v == "grouped")
            ffn = Ffn::Grouped;
        else if (v == "dense")
            ffn = Ffn::Dense;
        else
            throw Error("model config: ffn must be grouped|dense, got '" + v + "'");
    } else if (key == "node_dim") {
        node_dim = parse_int(key, v);
    } else if (key == "static_dim") {
        static_dim = parse_int(key, v);
    } else if (key == "hidden") {
        hidden = parse_int(key, v);
    } else if (key == "fc_hidden") {
        fc_hidden = parse_int(key, v);
    } else if (key == "layers") {
        layers = parse_int(key, v);
    } else if (key == "ffn_ratio") {
        ffn_ratio = parse_int(key, v);
    } else if (key == "groups") {
        groups = parse_int(key, v);
    } else if (key == "dropout") {
        dropout = parse_double(key, v);
    } else if (key == "gamma_init") {
        gamma_init = parse_double(key, v);
    } else {
        throw Error("model config: unknown key '" + key + "'");
    }
}

std::string ModelConfig::to_text() const {
    std::ostringstream os;
    os << "task=" << to_string(task) << "\n"
       << "structure=" << to_string(structure) << "\n"
       << "attention=" << to_string(attention) << "\n"
       << "ta_enhance=" << (ta_enhance ? "true" : "false") << "\n"
       << "ffn=" << to_string(ffn) << "\n"
       << "node_dim=" << node_dim << "\n"
       << "static_dim=" << static_dim << "\n"
       << "hidden=" << hidden << "\n"
       << "fc_hidden=" << fc_hidden << "\n"
       << "layers=" << layers << "\n"
       << "ffn_ratio=" << ffn_ratio << "\n"
       << "groups=" << groups << "\n"
       << "dropout=" << fmt_double(dropout) << "\n"
       << "gamma_init=" << fmt_double(gamma_init) << "\n";
    return os.str();
}

ModelConfig ModelConfig::from_text(const std::string& text) {
    ModelConfig c;
    std::istringstream is(text);
    std::string line;
    int lineno = 0;
    while (std::getline(is, line)) {
        ++lineno;
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        const size_t eq = line.find('=');
        if (eq == std::string::npos) {
            throw Error("model config: line " + std::to_string(lineno) + " is not key=value: '" +
                        line + "'");
        }
        c.set(trim(line.substr(0, eq)), line.substr(eq + 1));
    }
    c.validate();
    return c;
}

ModelConfig with_overrides(ModelConfig base, const std::map<std::string, std::string>& overrides) {
    for (const auto& [k, v] : overrides) base.set(k, v);
    if (overrides.count("hidden") && !overrides.count("fc_hidden")) base.fc_hidden = base.hidden;
    return base;
}

std::map<std::string, std::string> config_fields(const ModelConfig& c) {
    std::map<std::string, std::string> out;
    const std::string text = c.to_text();
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(start, nl - start);
        const size_t eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
        start = nl + 1;
    }
    return out;
}

}  // namespace nar::model
