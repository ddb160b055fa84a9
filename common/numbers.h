#pragma once
// The one strict number parser and the one double formatter. Parsers accept the
// whole text or nothing (no trailing junk, no silent clamping) and name `what`
// in the error.
#include <cstdint>
#include <optional>
#include <string>

namespace nar::common {

int64_t parse_int64(const std::string& text, const std::string& what);
uint64_t parse_uint64(const std::string& text, const std::string& what);
double parse_double(const std::string& text, const std::string& what);  // finite or not
bool parse_bool(const std::string& text, const std::string& what);      // true/false/1/0

// The same rules for readers that word their own error: nullopt where the text
// is not one whole number (an integer also where it leaves the 64-bit range).
std::optional<int64_t> try_parse_int64(const std::string& text);
std::optional<double> try_parse_double(const std::string& text);  // finite or not

// Shortest decimal text that reads back as the same double: 0.05, not 0.050000.
std::string format_double(double v);

}  // namespace nar::common
