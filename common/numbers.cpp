#include "common/numbers.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "common/error.h"

namespace nar::common {

namespace {

[[noreturn]] void bad(const std::string& what, const std::string& text, const std::string& kind) {
    throw Error(what + ": '" + text + "' is not " + kind);
}

bool blank(const std::string& t) {
    return t.empty() || t.find_first_not_of(" \t") == std::string::npos;
}

// Whole text a base-10 integer; *range set where it leaves the 64-bit range.
std::optional<int64_t> int64_of(const std::string& text, bool* range) {
    if (blank(text) || text.find_first_of(" \t") != std::string::npos) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0') return std::nullopt;
    if (errno == ERANGE) {
        *range = true;
        return std::nullopt;
    }
    return static_cast<int64_t>(v);
}

}  // namespace

int64_t parse_int64(const std::string& text, const std::string& what) {
    bool range = false;
    const auto v = int64_of(text, &range);
    if (range) throw Error(what + ": '" + text + "' is out of the 64-bit integer range");
    if (!v) bad(what, text, "an integer");
    return *v;
}

std::optional<int64_t> try_parse_int64(const std::string& text) {
    bool range = false;
    return int64_of(text, &range);
}

uint64_t parse_uint64(const std::string& text, const std::string& what) {
    if (blank(text) || text[0] == '-' || text.find_first_of(" \t") != std::string::npos) {
        bad(what, text, "a non-negative integer");
    }
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (*end != '\0') bad(what, text, "a non-negative integer");
    if (errno == ERANGE) {
        throw Error(what + ": '" + text + "' is larger than 18446744073709551615 (2^64 - 1)");
    }
    return static_cast<uint64_t>(v);
}

double parse_double(const std::string& text, const std::string& what) {
    const auto v = try_parse_double(text);
    if (!v) bad(what, text, "a number");
    return *v;
}

std::optional<double> try_parse_double(const std::string& text) {
    if (blank(text) || text.find_first_of(" \t") != std::string::npos) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (*end != '\0') return std::nullopt;
    return v;
}

bool parse_bool(const std::string& text, const std::string& what) {
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    bad(what, text, "true or false");
}

std::string format_double(double v) {
    char buf[40];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

}  // namespace nar::common
