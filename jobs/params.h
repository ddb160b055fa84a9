#pragma once
// The parameter table: one row per job key, with its type, allowed values or
// range, default, help and whether it is a model field. Sweep-file checks, job
// resolution, the key=value text form, `nar train`'s options and the result
// file's /config all come from here (llama.cpp's common/arg.cpp style).
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "jobs/job_config.h"

namespace nar::jobs {

enum class ParamType { String, Int, UInt, Float, Bool };

// Where a row's value lives in JobConfig; monostate: JobConfig::model[key].
using ParamField = std::variant<std::monostate, std::string JobConfig::*, int64_t JobConfig::*,
                                uint64_t JobConfig::*, double JobConfig::*, bool JobConfig::*>;

struct ParamDef {
    std::string key;  // snake_case; `nar train --key-with-dashes`
    ParamType type = ParamType::String;
    ParamField field;
    std::string help;
    std::string default_value;         // "" = unset (model rows: the study's preset)
    std::vector<std::string> allowed;  // String rows: the accepted values (empty: any)
    double min = -std::numeric_limits<double>::infinity();  // numeric rows, inclusive
    double max = std::numeric_limits<double>::infinity();
    bool model = false;    // a model::ModelConfig field
    bool identity = true;  // part of the job's identity (config hash, checkpoints)
    // A key added after sweeps existed: left out of the identity at its default, so
    // older results, plans and checkpoints keep their config hashes.
    bool identity_unless_default = false;
};

const std::vector<ParamDef>& param_table();
const ParamDef* find_param(const std::string& key);
std::vector<std::string> param_keys();

// "--data-root" for data_root.
std::string cli_flag(const ParamDef& p);
const char* type_name(ParamType t);      // "a string", "an integer", ...
const char* cli_type_name(ParamType t);  // "TEXT", "INT", "UINT", "FLOAT", "BOOL"
// The value's name in --help: "{local,global}" where the row lists its values, else cli_type_name.
std::string cli_value_name(const ParamDef& p);

// Checks `text` against the row (type, allowed values, range; NaN never passes)
// and returns its canonical text: integers as digits, doubles shortest
// round-trip, bools true/false. Throws common::Error naming `where` and the key.
std::string canonical_value(const ParamDef& p, const std::string& text, const std::string& where);

// Reads and writes a row's value in a config, as canonical text.
std::string get_value(const JobConfig& c, const ParamDef& p);
void set_value(JobConfig& c, const ParamDef& p, const std::string& canonical);

}  // namespace nar::jobs
