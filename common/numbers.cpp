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

}  // namespace

int64_t parse_int64(const std::string& text, const std::string& what) {
    if (blank(text) || text.find_first_of(" \t") != std::string::npos)
        bad(what, text, "an integer");
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0') bad(what, text, "an integer");
    if (errno == ERANGE) {
        throw Error(what + ": '" + text + "' is out of the 64-bit integer range");
    }
    return static_cast<int64_t>(v);
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
    if (blank(text) || text.find_first_of(" \t") != std::string::npos) bad(what, text, "a number");
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (*end != '\0') bad(what, text, "a number");
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
