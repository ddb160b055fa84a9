#pragma once
// Job identity: readable ids, the seed derived from an id, and the config hash.
//
// Seed: FNV-1a 64 of the id's bytes, masked to 31 bits (id_seed & 0x7fffffff) so
// it fits every RNG (std::mt19937, torch::manual_seed, int32 options). It depends
// on the id alone, so a job keeps its seed when other jobs are added or removed.
// Config hash: FNV-1a 64 over "key=value\n" of the resolved params in key order,
// printed as 16 lowercase hex digits.
#include <cstdint>
#include <map>
#include <string>

#include "jobs/job_spec.h"

namespace nar::jobs {

uint64_t fnv1a64(const std::string& bytes);
uint64_t seed_from_id(const std::string& id);
std::string config_hash(const std::map<std::string, std::string>& params);

// Lower-case; characters other than [a-z0-9._-] become '_' (e.g. "latency:raspi4"
// -> "latency_raspi4"), so a value is a safe path component.
std::string sanitize_id_component(const std::string& value);

// "r07" for repeat 7 (at least two digits).
std::string repeat_tag(int repeat);

// "table2/efficientnet/r07" -> "table2/efficientnet"; ids without a trailing
// "/rNN" come back unchanged. repeat (optional) receives NN or -1.
std::string config_id(const std::string& job_id, int* repeat = nullptr);

// The resolved config as "key=value" lines in key order (JobResult::config_text).
std::string config_text(const std::map<std::string, std::string>& params);
// Inverse of config_text; lines without '=' are ignored.
std::map<std::string, std::string> parse_config_text(const std::string& text);

}  // namespace nar::jobs
