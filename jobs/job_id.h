#pragma once
// Job identity: readable ids, the seed derived from an id, and the config hash.
//
// Seed: FNV-1a 64 of the id's bytes, masked to 31 bits (id_seed & 0x7fffffff) so
// it fits every RNG (std::mt19937, torch::manual_seed, int32 options). It depends
// on the id alone, so a job keeps its seed when other jobs are added or removed.
// Config hash: FNV-1a 64 over JobConfig::identity_text(), 16 lowercase hex digits.
#include <cstdint>
#include <map>
#include <string>

#include "jobs/job_config.h"
#include "jobs/job_spec.h"

namespace nar::jobs {

uint64_t seed_from_id(const std::string& id);
// 16 hex digits of FNV-1a 64 over the config's identity text (every key that
// can change the numbers, resolved; threads excluded).
std::string config_hash(const JobConfig& cfg);

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
// Inverse of config_text (and of JobConfig::to_text); lines without '=' are ignored;
// the "model." prefix of older result files is dropped.
std::map<std::string, std::string> parse_config_text(const std::string& text);

}  // namespace nar::jobs
