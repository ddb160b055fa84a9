#include "jobs/sweep_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/numbers.h"
#include "jobs/params.h"
#include "jobs/study.h"

namespace nar::jobs {

namespace {

using common::Error;

std::string where_of(const toml::source_region& src, const std::string& path) {
    return path + ":" + std::to_string(src.begin.line);
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
}

// One scalar TOML value as canonical text, checked against the key's row.
std::string scalar_text(const ParamDef& def, const toml::node& n, const std::string& where) {
    std::string text;
    bool ok = false;
    switch (def.type) {
        case ParamType::String:
            if (auto s = n.as_string()) text = s->get(), ok = true;
            break;
        case ParamType::Int:
        case ParamType::UInt:
            if (auto i = n.as_integer()) text = std::to_string(i->get()), ok = true;
            break;
        case ParamType::Float:
            if (auto f = n.as_floating_point()) text = common::format_double(f->get()), ok = true;
            if (auto i = n.as_integer()) text = std::to_string(i->get()), ok = true;
            break;
        case ParamType::Bool:
            if (auto b = n.as_boolean()) text = b->get() ? "true" : "false", ok = true;
            break;
    }
    if (!ok) throw Error(where + ": key '" + def.key + "' must be " + type_name(def.type));
    // Strings may hold ${vars}: their allowed values are checked after substitution.
    if (def.type == ParamType::String && text.find("${") != std::string::npos) return text;
    return canonical_value(def, text, where);
}

// Table names become path components of results: letters, digits, '.', '_', '-'.
void check_table_name(const std::string& name, const std::string& where) {
    const bool chars_ok =
        !name.empty() && name.size() <= 100 &&
        name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
            std::string::npos;
    if (!chars_ok || name == "." || name == ".." || name[0] == '.') {
        throw Error(where + ": study table name '" + name +
                    "' must be 1-100 letters, digits, '_', '-' or '.' and not start with '.' (it "
                    "names the results subdirectory)");
    }
}

SweepParam make_param(const std::string& key, const toml::node& n, const std::string& where) {
    const ParamDef* def = find_param(key);
    if (!def) {
        throw Error(where + ": unknown key '" + key +
                    "' (parameters are the `nar train` options: " + join(param_keys()) + ")");
    }
    SweepParam p;
    p.key = key;
    p.where = where;
    if (auto arr = n.as_array()) {
        if (key == "study") throw Error(where + ": key 'study' must be a single string");
        if (arr->empty()) throw Error(where + ": key '" + key + "' is an empty array");
        p.is_list = true;
        for (const auto& el : *arr) p.values.push_back(scalar_text(*def, el, where));
    } else {
        p.values.push_back(scalar_text(*def, n, where));
    }
    return p;
}

// Keys of a table in the order they appear in the file (toml++ keeps them sorted).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
    std::vector<std::tuple<uint32_t, uint32_t, std::string, const toml::node*>> v;
    for (const auto& [k, n] : t)
        v.emplace_back(k.source().begin.line, k.source().begin.column, std::string(k.str()), &n);
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    std::vector<std::pair<std::string, const toml::node*>> out;
    for (auto& [l, c, k, n] : v) out.emplace_back(k, n);
    return out;
}

int read_repeats(const toml::node& n, const std::string& where) {
    auto i = n.as_integer();
    if (!i || i->get() < 1 || i->get() > 10000) {
        throw Error(where + ": key 'repeats' must be an integer from 1 to 10000");
    }
    return static_cast<int>(i->get());
}

std::string read_string(const toml::node& n, const std::string& key, const std::string& where) {
    auto s = n.as_string();
    if (!s) throw Error(where + ": key '" + key + "' must be a string");
    return s->get();
}

void set_param(std::vector<SweepParam>& params, SweepParam p) {
    for (auto& q : params) {
        if (q.key == p.key) {
            q = std::move(p);
            return;
        }
    }
    params.push_back(std::move(p));
}

void parse_study(SweepFile& sf, const std::string& name, const toml::node& n,
                 const std::string& path) {
    const std::string where = where_of(n.source(), path);
    auto t = n.as_table();
    if (!t) throw Error(where + ": 'studies." + name + "' must be a table");
    SweepStudy s;
    s.name = name;
    s.where = where;
    for (const auto& [key, v] : in_file_order(*t)) {
        const std::string w = where_of(v->source(), path);
        if (key == "repeats") {
            s.repeats = read_repeats(*v, w);
        } else {
            s.params.push_back(make_param(key, *v, w));
        }
    }
    bool has_study = std::any_of(s.params.begin(), s.params.end(),
                                 [](const SweepParam& p) { return p.key == "study"; });
    if (!has_study) {
        throw Error(where + ": [studies." + name + "] needs a key 'study' (one of " +
                    join(study_names()) + ")");
    }
    check_table_name(name, where);
    sf.studies.push_back(std::move(s));
}

// An override value: TOML syntax when it parses, else the raw text as a string.
toml::table parse_override_value(const std::string& value) {
    try {
        toml::table t = toml::parse("v = " + value, std::string_view("command line"));
        return t;
    } catch (const toml::parse_error&) {
        toml::table t;
        t.insert("v", value);
        return t;
    }
}

void apply_override(SweepFile& sf, const std::string& ov) {
    const std::string where = "command-line override '" + ov + "'";
    size_t eq = ov.find('=');
    if (eq == std::string::npos || eq == 0) {
        throw Error(where + ": expected key=value");
    }
    std::string key = ov.substr(0, eq), value = ov.substr(eq + 1);
    toml::table vt = parse_override_value(value);
    const toml::node& v = *vt.get("v");
    // Keys that want a string take the raw text unless it was a TOML string or array.
    auto as_text = [&]() -> toml::table {
        if (v.is_string() || v.is_array()) return vt;
        toml::table t;
        t.insert("v", value);
        return t;
    };
    if (key == "repeats") {
        sf.repeats = read_repeats(v, where);
    } else if (key == "out") {
        sf.out_dir = read_string(*as_text().get("v"), key, where);
    } else if (key == "name") {
        sf.name = read_string(*as_text().get("v"), key, where);
    } else if (key.rfind("vars.", 0) == 0 || sf.vars.count(key)) {
        std::string var = key.rfind("vars.", 0) == 0 ? key.substr(5) : key;
        sf.vars[var] = read_string(*as_text().get("v"), key, where);
    } else if (key.rfind("studies.", 0) == 0) {
        std::string rest = key.substr(8);
        size_t dot = rest.rfind('.');
        if (dot == std::string::npos) throw Error(where + ": expected studies.<table>.<key>=value");
        std::string table = rest.substr(0, dot), pkey = rest.substr(dot + 1);
        auto it = std::find_if(sf.studies.begin(), sf.studies.end(),
                               [&](const SweepStudy& s) { return s.name == table; });
        if (it == sf.studies.end()) {
            throw Error(where + ": the sweep file " + sf.path + " has no [studies." + table + "]");
        }
        if (pkey == "repeats") {
            it->repeats = read_repeats(v, where);
            return;
        }
        const ParamDef* def = find_param(pkey);
        bool str = def && def->type == ParamType::String;
        toml::table t = str ? as_text() : vt;
        set_param(it->cli_params, make_param(pkey, *t.get("v"), where));
    } else {
        if (key == "study") {
            throw Error(where + ": 'study' can only be set per study (studies.<table>.study=...)");
        }
        const ParamDef* def = find_param(key);
        bool str = def && def->type == ParamType::String;
        toml::table t = str ? as_text() : vt;
        set_param(sf.cli_params, make_param(key, *t.get("v"), where));
    }
}

}  // namespace

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

SweepFile parse_sweep_file(const std::string& path, const std::vector<std::string>& overrides) {
    if (!std::filesystem::exists(path)) throw Error(path + ": sweep file does not exist");
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw Error(path + ":" + std::to_string(e.source().begin.line) + ": " +
                    std::string(e.description()));
    }
    SweepFile sf;
    sf.path = path;
    sf.name = std::filesystem::path(path).stem().string();
    for (const auto& [key, v] : in_file_order(root)) {
        const std::string where = where_of(v->source(), path);
        if (key == "name") {
            sf.name = read_string(*v, key, where);
        } else if (key == "out") {
            sf.out_dir = read_string(*v, key, where);
        } else if (key == "repeats") {
            sf.repeats = read_repeats(*v, where);
        } else if (key == "vars") {
            auto t = v->as_table();
            if (!t) throw Error(where + ": 'vars' must be a table");
            for (const auto& [vk, vv] : in_file_order(*t)) {
                const std::string w = where_of(vv->source(), path);
                if (auto s = vv->as_string()) {
                    sf.vars[vk] = s->get();
                } else if (auto i = vv->as_integer()) {
                    sf.vars[vk] = std::to_string(i->get());
                } else if (auto f = vv->as_floating_point()) {
                    sf.vars[vk] = common::format_double(f->get());
                } else {
                    throw Error(w + ": variable '" + vk + "' must be a string or a number");
                }
            }
        } else if (key == "defaults") {
            auto t = v->as_table();
            if (!t) throw Error(where + ": 'defaults' must be a table");
            for (const auto& [dk, dv] : in_file_order(*t)) {
                const std::string w = where_of(dv->source(), path);
                if (dk == "study") {
                    throw Error(w + ": 'study' belongs in a [studies.<name>] table");
                }
                sf.defaults.push_back(make_param(dk, *dv, w));
            }
        } else if (key == "studies") {
            auto t = v->as_table();
            if (!t) throw Error(where + ": 'studies' must be a table of [studies.<name>] tables");
            for (const auto& [sk, sv] : in_file_order(*t)) parse_study(sf, sk, *sv, path);
        } else {
            throw Error(where + ": unknown top-level key '" + key +
                        "' (expected name, out, repeats, [vars], [defaults], [studies.<name>])");
        }
    }
    if (sf.studies.empty()) throw Error(path + ": no [studies.<name>] table");
    for (const auto& ov : overrides) apply_override(sf, ov);
    if (sf.out_dir.empty()) sf.out_dir = "results/" + sf.name;
    return sf;
}

}  // namespace nar::jobs
