#pragma once
// The one JSON string quoter for nar's machine-readable output
// (`nar aggregate --format json`, `nar sweep status --format json`).
#include <string>

namespace nar::common {

// s as a JSON string literal, quotes included; control characters escaped.
std::string json_string(const std::string& s);

}  // namespace nar::common
