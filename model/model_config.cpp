#include "model/model_config.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>
#include <variant>

#include "common/error.h"
#include "common/numbers.h"

namespace nar::model {

using common::Error;

namespace {

template <typename T>
using Plain = std::remove_cv_t<std::remove_reference_t<T>>;

template <typename E>
struct Named {
    E value;
    const char* name;
};
constexpr Named<Task> kTasks[] = {{Task::Latency, "latency"}, {Task::Accuracy, "accuracy"}};
constexpr Named<Structure> kStructures[] = {{Structure::Transformer, "transformer"},
                                            {Structure::Gnn, "gnn"}};
constexpr Named<Attention> kAttentions[] = {{Attention::Local, "local"},
                                            {Attention::Global, "global"}};
constexpr Named<Ffn> kFfns[] = {{Ffn::Grouped, "grouped"}, {Ffn::Dense, "dense"}};

template <typename E>
const auto& names() {
    if constexpr (std::is_same_v<E, Task>) return kTasks;
    if constexpr (std::is_same_v<E, Structure>) return kStructures;
    if constexpr (std::is_same_v<E, Attention>) return kAttentions;
    if constexpr (std::is_same_v<E, Ffn>) return kFfns;
}

template <typename E>
std::string name_of(E v) {
    for (const auto& n : names<E>())
        if (n.value == v) return n.name;
    return "?";
}

template <typename E>
std::vector<std::string> all_names() {
    std::vector<std::string> v;
    for (const auto& n : names<E>()) v.push_back(n.name);
    return v;
}

// Every field once, in to_text() order: its key and where it lives.
using Member = std::variant<Task ModelConfig::*, Structure ModelConfig::*, Attention ModelConfig::*,
                            Ffn ModelConfig::*, bool ModelConfig::*, int ModelConfig::*,
                            double ModelConfig::*>;
struct Field {
    const char* key;
    Member member;
};
const Field kFields[] = {
    {"task", &ModelConfig::task},
    {"structure", &ModelConfig::structure},
    {"attention", &ModelConfig::attention},
    {"ta_enhance", &ModelConfig::ta_enhance},
    {"ffn", &ModelConfig::ffn},
    {"node_dim", &ModelConfig::node_dim},
    {"static_dim", &ModelConfig::static_dim},
    {"hidden", &ModelConfig::hidden},
    {"fc_hidden", &ModelConfig::fc_hidden},
    {"layers", &ModelConfig::layers},
    {"ffn_ratio", &ModelConfig::ffn_ratio},
    {"groups", &ModelConfig::groups},
    {"dropout", &ModelConfig::dropout},
    {"gamma_init", &ModelConfig::gamma_init},
};

const Field* find_field(const std::string& key) {
    for (const auto& f : kFields)
        if (key == f.key) return &f;
    return nullptr;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string o;
    for (const auto& s : v) o += (o.empty() ? "" : sep) + s;
    return o;
}

// A field's value as text: the one format of to_text() and config_fields().
std::string value_text(const ModelConfig& c, const Member& m) {
    return std::visit(
        [&](auto f) -> std::string {
            using V = Plain<decltype(c.*f)>;
            if constexpr (std::is_same_v<V, bool>) {
                return c.*f ? "true" : "false";
            } else if constexpr (std::is_same_v<V, int>) {
                return std::to_string(c.*f);
            } else if constexpr (std::is_same_v<V, double>) {
                return common::format_double(c.*f);
            } else {
                return name_of(c.*f);
            }
        },
        m);
}

void set_value(ModelConfig& c, const std::string& key, const Member& m, const std::string& v) {
    const auto fail = [&](const std::string& needs) {
        throw Error("model config: '" + key + "' needs " + needs + ", got '" + v + "'");
    };
    std::visit(
        [&](auto f) {
            using V = Plain<decltype(c.*f)>;
            if constexpr (std::is_same_v<V, bool>) {
                try {
                    c.*f = common::parse_bool(v, key);
                } catch (const Error&) {
                    fail("true|false");
                }
            } else if constexpr (std::is_same_v<V, int>) {
                const auto i = common::try_parse_int64(v);
                if (!i || *i < std::numeric_limits<int>::min() ||
                    *i > std::numeric_limits<int>::max())
                    fail("an integer");
                c.*f = static_cast<int>(*i);
            } else if constexpr (std::is_same_v<V, double>) {
                const auto d = common::try_parse_double(v);
                if (!d) fail("a number");
                c.*f = *d;
            } else {
                for (const auto& n : names<V>()) {
                    if (v == n.name) {
                        c.*f = n.value;
                        return;
                    }
                }
                fail(join(all_names<V>(), "|"));
            }
        },
        m);
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

}  // namespace

std::string to_string(Task v) { return name_of(v); }
std::string to_string(Structure v) { return name_of(v); }
std::string to_string(Attention v) { return name_of(v); }
std::string to_string(Ffn v) { return name_of(v); }

std::vector<std::string> allowed_values(const std::string& key) {
    const Field* f = find_field(key);
    if (!f) return {};
    return std::visit(
        [](auto m) -> std::vector<std::string> {
            using V = Plain<decltype(std::declval<ModelConfig&>().*m)>;
            if constexpr (std::is_enum_v<V>) {
                return all_names<V>();
            } else {
                return {};
            }
        },
        f->member);
}

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
        fail("dropout must be in [0, 1), got " + common::format_double(dropout));
    if (!std::isfinite(gamma_init)) fail("gamma_init must be finite");
}

void ModelConfig::set(const std::string& key, const std::string& value) {
    const Field* f = find_field(key);
    if (!f) throw Error("model config: unknown key '" + key + "'");
    set_value(*this, key, f->member, trim(value));
}

std::string ModelConfig::to_text() const {
    std::string o;
    for (const auto& f : kFields)
        o += std::string(f.key) + "=" + value_text(*this, f.member) + "\n";
    return o;
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
    for (const auto& f : kFields) out[f.key] = value_text(c, f.member);
    return out;
}

}  // namespace nar::model
