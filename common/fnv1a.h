#pragma once
// FNV-1a 64: the one content hash (job ids and seeds, config hashes, feature
// cache keys, the replica check of data parallelism).
#include <cstddef>
#include <cstdint>
#include <string>

namespace nar::common {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

uint64_t fnv1a64(const void* data, size_t n, uint64_t h = kFnvOffset);
inline uint64_t fnv1a64(const std::string& s, uint64_t h = kFnvOffset) {
    return fnv1a64(s.data(), s.size(), h);
}

}  // namespace nar::common
