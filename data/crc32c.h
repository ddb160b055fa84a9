#pragma once
// CRC-32C (Castagnoli), as used by TFRecord framing.
#include <cstddef>
#include <cstdint>

namespace nar::data {

// Continues a CRC-32C over more bytes; start with crc = 0.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size);

inline uint32_t crc32c(const void* data, size_t size) { return crc32c_extend(0, data, size); }

// TFRecord stores CRCs masked: ((crc >> 15) | (crc << 17)) + 0xa282d8a8.
uint32_t mask_crc32c(uint32_t crc);

}  // namespace nar::data
