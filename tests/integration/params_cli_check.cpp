// The parameter table through the command line:
//   params_cli_check help NAR           every row is a `nar train` option whose help
//                                       line carries the resolved per-study defaults
//   params_cli_check run NAR DIR        a tiny `nar train --hidden 32` job: its /config
//                                       lists every key, fc_hidden followed hidden, and
//                                       every given flag reached the config
#include <cstdio>
#include <map>
#include <string>

#include "common/h5.h"
#include "jobs/job_id.h"
#include "jobs/params.h"
#include "runner/param_help.h"

namespace {

std::string run(const std::string& cmd, int* code) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = pclose(p);
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

// CLI11 wraps nothing: a help line is "  --flag TYPE  help"; collapse spaces.
std::string squash(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n' || c == ' ') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

int check_help(const std::string& nar) {
    int code = 0;
    const std::string help = squash(run(nar + " train --help", &code));
    if (code != 0) return std::printf("FAIL: nar train --help exited %d\n", code), 1;
    int bad = 0;
    for (const auto& p : nar::jobs::param_table()) {
        const auto at = help.find(nar::jobs::cli_flag(p) + " ");
        if (at == std::string::npos) {
            std::printf("FAIL: %s missing from nar train --help\n", nar::jobs::cli_flag(p).c_str());
            ++bad;
            continue;
        }
        if (help.find(squash(nar::runner::param_help(p)), at) == std::string::npos) {
            std::printf("FAIL: help of %s is not '%s'\n", p.key.c_str(),
                        nar::runner::param_help(p).c_str());
            ++bad;
        }
    }
    std::printf("%d rows checked, %d bad\n", static_cast<int>(nar::jobs::param_table().size()),
                bad);
    return bad ? 1 : 0;
}

int check_run(const std::string& nar, const std::string& dir) {
    const std::string out = dir + "/r.h5";
    int code = 0;
    const std::string log = run(nar +
                                    " train --study nb201-accuracy --train-count 32 --val-count 16 "
                                    "--test rest --hidden 32 --layers 1 --epochs 1 --lr 0.002 "
                                    "--dropout 0 --seed 7 --threads 1 --out " +
                                    out,
                                &code);
    if (code != 0) return std::printf("FAIL: nar train exited %d\n%s\n", code, log.c_str()), 1;
    nar::common::H5File f(out, nar::common::H5File::Mode::Read);
    const auto cfg = nar::jobs::parse_config_text(f.read_string("config"));
    int bad = 0;
    for (const auto& p : nar::jobs::param_table()) {
        if (!cfg.count(p.key)) std::printf("FAIL: /config lacks %s\n", p.key.c_str()), ++bad;
    }
    const std::map<std::string, std::string> expect = {{"hidden", "32"},
                                                       {"fc_hidden", "32"},
                                                       {"layers", "1"},
                                                       {"epochs", "1"},
                                                       {"lr", "0.002"},
                                                       {"dropout", "0"},
                                                       {"seed", "7"},
                                                       {"train_count", "32"},
                                                       {"test", "rest"},
                                                       {"threads", "1"},
                                                       {"structure", "transformer"}};
    for (const auto& [k, v] : expect) {
        auto it = cfg.find(k);
        if (it == cfg.end() || it->second != v) {
            std::printf("FAIL: /config %s=%s, expected %s\n", k.c_str(),
                        it == cfg.end() ? "(missing)" : it->second.c_str(), v.c_str());
            ++bad;
        }
    }
    // Without --id, the id is derived from the configuration (distinct per seed).
    const std::string id = f.read_attr_string("/", "job_id");
    if (id.rfind("train/nb201-accuracy/", 0) != 0)
        std::printf("FAIL: job id %s\n", id.c_str()), ++bad;
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "help") return check_help(argv[2]);
    if (argc == 4 && std::string(argv[1]) == "run") return check_run(argv[2], argv[3]);
    std::fprintf(stderr, "usage: params_cli_check help NAR | run NAR DIR\n");
    return 2;
}
