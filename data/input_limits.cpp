#include "data/input_limits.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "common/error.h"

namespace nar::data {

using nar::common::Error;

// 1 GiB: protobuf cannot parse 2 GiB anyway, and the encoder needs no weights.
const InputLimit kMaxOnnxBytes{"NAR_MAX_ONNX_BYTES", int64_t{1} << 30, "bytes"};
const InputLimit kMaxOnnxNodes{"NAR_MAX_ONNX_NODES", 200000, "nodes"};
const InputLimit kMaxTextBytes{"NAR_MAX_TEXT_BYTES", int64_t{256} << 20, "bytes"};

int64_t limit_value(const InputLimit& limit) {
    const char* s = std::getenv(limit.env);
    if (!s || !*s) return limit.fallback;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v <= 0)
        throw Error(std::string(limit.env) + "='" + s + "' is not a positive integer");
    return v;
}

std::string limit_error(const InputLimit& limit, const std::string& label,
                        const std::string& what) {
    return label + ": " + what + " exceeds the limit of " + std::to_string(limit_value(limit)) +
           " " + limit.unit + " (set " + limit.env + " to raise it)";
}

std::string read_bounded_file(const std::string& path, const InputLimit& limit) {
    const int64_t max = limit_value(limit);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(path + ": cannot open file (" + std::strerror(errno) + ")");
    if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, not a file");
    if (S_ISREG(st.st_mode) && st.st_size > max)
        throw Error(limit_error(limit, path, "file size " + std::to_string(st.st_size)));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open file");
    std::string out;
    char buf[1 << 16];
    while (in) {
        in.read(buf, sizeof buf);
        const auto got = static_cast<size_t>(in.gcount());
        if (static_cast<int64_t>(out.size() + got) > max)
            throw Error(limit_error(limit, path, "the stream (not a regular file)"));
        // Grow to at most max bytes: doubling past the limit would double the peak.
        if (out.size() + got > out.capacity())
            out.reserve(std::min<size_t>(static_cast<size_t>(max),
                                         std::max<size_t>(2 * out.capacity(), sizeof buf)));
        out.append(buf, got);
    }
    if (in.bad()) throw Error(path + ": read error");
    return out;
}

}  // namespace nar::data
