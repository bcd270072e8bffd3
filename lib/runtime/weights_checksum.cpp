#include "runtime/weights_checksum.hpp"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>

namespace nib::detail {

namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v * kPrime2;
  return std::rotl(h, 31) * kPrime1;
}

// Four independent lanes over 32-byte blocks (memory-bandwidth bound on large checkpoints), then
// the tail byte by byte; the length is folded in so zero padding changes the result.
std::uint64_t hash_bytes(std::span<const std::uint8_t> bytes, std::uint64_t seed) {
  std::uint64_t lane[4] = {seed + kPrime1, seed ^ kPrime2, seed - kPrime1, ~seed};
  std::size_t i = 0;
  for (; i + 32 <= bytes.size(); i += 32) {
    for (int l = 0; l < 4; ++l) {
      std::uint64_t w;
      std::memcpy(&w, bytes.data() + i + 8 * l, 8);
      lane[l] = mix(lane[l], w);
    }
  }
  std::uint64_t h = bytes.size() * kPrime1;
  for (auto l : lane) h = mix(h, l);
  for (; i < bytes.size(); ++i) h = mix(h, bytes[i]);
  h ^= h >> 33;
  h *= kPrime2;
  return h ^ (h >> 29);
}

std::uint64_t hash_string(std::string_view s, std::uint64_t seed) {
  return hash_bytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), seed);
}

}  // namespace

std::string weights_checksum(const io::WeightStore& weights) {
  std::uint64_t h = 0;
  for (const auto& [name, t] : weights.tensors()) {  // sorted by name
    h = hash_string(name, h);
    h = hash_string(io::dtype_name(t->dtype), h);
    for (auto d : t->shape) h = mix(h, static_cast<std::uint64_t>(d));
    h = hash_bytes(t->bytes, h);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

}  // namespace nib::detail
