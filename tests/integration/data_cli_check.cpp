// Checker for the `nar data` integration tests.
//   data_cli_check compare OUT.h5 GOLDEN.h5     features file equals the reference's
//   data_cli_check succeeds TEXT CMD ARGS...    CMD exits 0 and its output contains TEXT
//   data_cli_check fails TEXT CMD ARGS...       CMD exits non-zero, output contains TEXT
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "common/h5.h"

namespace {

using nar::common::H5File;

int compare(const std::string& out, const std::string& golden) {
    H5File a(out, H5File::Mode::Read), b(golden, H5File::Mode::Read);
    int bad = 0;
    auto check = [&](bool ok, const std::string& what) {
        if (!ok) {
            std::cerr << "mismatch: " << what << "\n";
            ++bad;
        }
    };
    check(a.read_strings("node_names") == b.read_strings("node_names"), "node_names");
    check(a.read_strings("op_types") == b.read_strings("op_types"), "op_types");
    check(a.read_i64("edges") == b.read_i64("edges"), "edges");
    check(a.shape("edges") == b.shape("edges"), "edges shape");
    check(a.read_f64("static_raw") == b.read_f64("static_raw"), "static_raw");
    for (const char* name : {"x", "static"}) {
        const auto x = a.read_f32(name), y = b.read_f32(name);
        bool ok = x.size() == y.size() && a.shape(name) == b.shape(name);
        for (size_t i = 0; ok && i < x.size(); ++i) ok = std::fabs(x[i] - y[i]) <= 1e-5;
        check(ok, name);
    }
    if (bad == 0) std::cout << out << " matches " << golden << "\n";
    return bad == 0 ? 0 : 1;
}

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

int run(bool expect_ok, const std::string& text, int argc, char** argv) {
    std::string cmd;
    for (int i = 0; i < argc; ++i) cmd += quote(argv[i]) + " ";
    cmd += "2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return 2;
    std::string output;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
    const int status = pclose(p);
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    std::cout << output;
    if ((rc == 0) != expect_ok) {
        std::cerr << "unexpected exit status " << rc << "\n";
        return 1;
    }
    if (output.find(text) == std::string::npos) {
        std::cerr << "output lacks: " << text << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "compare" && argc == 4) return compare(argv[2], argv[3]);
        if ((mode == "succeeds" || mode == "fails") && argc >= 4)
            return run(mode == "succeeds", argv[2], argc - 3, argv + 3);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    std::cerr << "usage: data_cli_check compare OUT GOLDEN | succeeds|fails TEXT CMD...\n";
    return 2;
}
