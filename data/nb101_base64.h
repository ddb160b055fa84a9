#pragma once
// Standard base64 (RFC 4648, '=' padded), as used for raw_metrics in the
// NAS-Bench-101 TFRecord.
#include <string>

namespace nar::data {

// Throws common::Error (without a file name: callers add context) on bad input.
std::string base64_decode(const std::string& text);
std::string base64_encode(const std::string& bytes);

}  // namespace nar::data
