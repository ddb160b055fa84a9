#pragma once
// A sweep file (TOML) parsed and type-checked, before expansion into jobs.
//
//   name    = "paper"              # default: the file's stem
//   out     = "results/paper"      # output directory; default results/<name>
//   repeats = 12                   # runs per configuration (default 12)
//   [vars]                         # user variables, used as ${name} in strings
//   nnlqp_root = "/data/nnlqp"     # (${NAME} falls back to the environment)
//   [defaults]                     # `nar train` options for every study
//   epochs = 50
//   [studies.table2]               # one table per study; the table name starts the job id
//   study   = "nnlqp-unseen"
//   repeats = 12                   # optional, per study
//   holdout = ["alexnet", "vgg16"] # an array expands into one job per value
//
// Parameter keys are the rows of jobs/params.h (the `nar train` options). Unknown
// keys and wrong types throw common::Error naming file, line and key.
//
// Command-line overrides "key=value" (value in TOML syntax; a bare word is a string):
//   repeats=3, out=DIR, name=X     top level
//   epochs=2, hidden=64, ...       a parameter for every study (beats the file)
//   studies.table2.epochs=5        a parameter for one study (beats everything)
//   vars.nnlqp_root=/d or nnlqp_root=/d (when nnlqp_root is a declared var)
#include <map>
#include <string>
#include <vector>

namespace nar::jobs {

struct SweepParam {
    std::string key;
    std::vector<std::string> values;  // one value, or the array's values
    bool is_list = false;             // an array: expands into one job per value
    std::string where;                // "file:line" or "command line 'k=v'"
};

struct SweepStudy {
    std::string name;                    // the [studies.<name>] table
    std::vector<SweepParam> params;      // in file order (study included)
    std::vector<SweepParam> cli_params;  // studies.<name>.k=v overrides
    int repeats = -1;                    // -1: the sweep's
    std::string where;
};

struct SweepFile {
    std::string path, name, out_dir;
    int repeats = 12;
    std::map<std::string, std::string> vars;
    std::vector<SweepParam> defaults;    // [defaults], file order
    std::vector<SweepParam> cli_params;  // top-level parameter overrides
    std::vector<SweepStudy> studies;     // file order
};

// A TOML basic string of `s`, so any path survives the override parser ("out=" + ...).
std::string toml_string(const std::string& s);

// Parses and validates the file, then applies the overrides. Throws common::Error.
SweepFile parse_sweep_file(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace nar::jobs
