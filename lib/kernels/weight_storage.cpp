// Reduced weight storage: conversion from f32 at load (pack_weight, over the OpenMP threads: it is
// most of a reduced model's load time) and back (dequantize), shared by the embedding gather, the
// prefill path and the tests' references.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include <nib/error.hpp>

#include "kernels/int8_quantize.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_f32_packed.hpp"
#include "kernels/onednn_int8.hpp"
#include "kernels/weight_simd.hpp"

namespace nib::kernels {

namespace {

using std::int64_t;

std::uint16_t f32_to_bf16(float f) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<std::uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);                     // round to nearest even
  return static_cast<std::uint16_t>(bits >> 16);
}

// n values of a 16-bit row to f32.
template <Storage S>
void widen_row(const std::uint16_t* src, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, simd::load8<S>(src + i));
  if (i < n) _mm256_maskstore_ps(out + i, simd::tail_mask(n - i), simd::load_tail<S>(src + i, n - i));
}

void widen_16(const Weight& w, const std::uint16_t* src, int64_t n, float* out) {
  if (w.storage == Storage::BF16)
    widen_row<Storage::BF16>(src, n, out);
  else
    widen_row<Storage::F16>(src, n, out);
}

// Sizes p.q (one group of `storage` per kInt8Rows outputs), then for each output r < groups · kInt8Rows
// (rows past n included, with no inputs) and block b of K stores encode(r, b, x, len) as the
// block's scale (half bits); encode writes the block's codes from its len inputs x (len 0 past n or
// k). Groups run in parallel (each writes its own bytes); InOut outputs are gathered into a column
// first. A scale that is not finite (weights past what a half scale holds, or not finite
// themselves) is an error, raised once the threads are done.
template <class Encode>
void quantize_blocks(const float* src, int64_t n, int64_t k, Layout layout, Storage storage, PackedWeight& p,
                     Encode&& encode) {
  const int64_t blocks = int8_blocks(k), groups = int8_groups(n);
  const int64_t group_bytes = quantized_group_bytes(storage, blocks);
  // An odd count's last tile: one block's codes and scales, then padding.
  const int64_t used =
      blocks % 2 ? quantized_scales_at(storage, blocks, blocks - 1) + kScaleBytes : group_bytes;
  p.q.resize(static_cast<std::size_t>(groups * group_bytes));
  std::atomic<bool> unrepresentable{false};
#pragma omp parallel
  {
    PackedBuffer<float> column;  // an InOut output's weights, gathered
#pragma omp for schedule(static)
    for (int64_t g = 0; g < groups; ++g) {
      std::fill(p.q.begin() + g * group_bytes + used, p.q.begin() + (g + 1) * group_bytes, std::int8_t{0});
      for (int64_t r = g * kInt8Rows; r < (g + 1) * kInt8Rows; ++r) {
        const int64_t inputs = r < n ? k : 0;  // padding rows have none
        const float* row = r < n ? src + r * k : nullptr;
        if (inputs && layout == Layout::InOut) {
          column.resize(static_cast<std::size_t>(k));
          for (int64_t c = 0; c < k; ++c) column[static_cast<std::size_t>(c)] = src[c * n + r];
          row = column.data();
        }
        for (int64_t b = 0; b < blocks; ++b) {
          const int64_t begin = b * kInt8Block, len = std::clamp(inputs - begin, int64_t{0}, kInt8Block);
          const float* x = len ? row + begin : nullptr;
          const std::uint16_t scale = encode(r, b, x, len);
          if (!half_is_finite(scale) || !std::all_of(x, x + len, [](float v) { return std::isfinite(v); }))
            unrepresentable.store(true, std::memory_order_relaxed);
          std::memcpy(p.q.data() + quantized_scale_byte(storage, blocks, r, b), &scale, sizeof scale);
        }
      }
    }
  }
  if (unrepresentable.load())
    throw Error(Status::Unsupported,
                std::string(storage_name(storage)) +
                    " weights: a block holds a weight that is not finite or beyond what a "
                    "half-precision scale allows (|w| up to ~" +
                    (storage == Storage::Int4 ? "4.6e5" : "8.3e6") + ")");
}

}  // namespace

float quantized_scale(const Weight& w, int64_t r, int64_t b) {
  std::uint16_t s;
  std::memcpy(&s, static_cast<const char*>(w.data) + quantized_scale_byte(w.storage, int8_blocks(w.k), r, b),
              sizeof s);
  return widen_half(s);
}

int64_t weight_bytes(const Weight& w) {
  const int64_t count = w.n * w.k;
  switch (w.storage) {
    case Storage::F32: return 4 * count;
    case Storage::BF16:
    case Storage::F16: return 2 * count;
    case Storage::Int8:
    case Storage::Int4: return int8_groups(w.n) * quantized_group_bytes(w.storage, int8_blocks(w.k));
  }
  return 0;
}

int64_t resident_bytes(const Weight& w) {
  return weight_bytes(w) + (w.gemm ? onednn::int8_gemm_bytes(*w.gemm) : 0) +
         (w.f32_gemm ? onednn::f32_gemm_bytes(*w.f32_gemm) : 0);
}

const char* storage_name(Storage s) {
  switch (s) {
    case Storage::F32: return "f32";
    case Storage::BF16: return "bf16";
    case Storage::F16: return "f16";
    case Storage::Int8: return "int8";
    case Storage::Int4: return "int4";
  }
  return "?";
}

int64_t packed_bytes(int64_t n, int64_t k, Storage storage) {
  if (storage == Storage::F32) return onednn::f32_gemm_bytes(n, k);  // src is used in place
  const Weight w{nullptr, n, k, Layout::OutIn, storage};
  return weight_bytes(w) + (storage == Storage::Int8 ? onednn::int8_gemm_bytes(n, k) : 0);
}

void round_to_bf16(const float* src, int64_t n, std::uint16_t* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_bf16(src[i]);
}

void dequantize(const Weight& w, int64_t n0, int64_t n1, float* out) {
  const int64_t rows = n1 - n0;
  if (rows <= 0) return;
  switch (w.storage) {
    case Storage::F32:
      if (w.layout == Layout::OutIn) {
        std::memcpy(out, w.f32() + n0 * w.k, sizeof(float) * static_cast<std::size_t>(rows * w.k));
      } else {
        for (int64_t kk = 0; kk < w.k; ++kk)
          std::memcpy(out + kk * rows, w.f32() + kk * w.n + n0,
                      sizeof(float) * static_cast<std::size_t>(rows));
      }
      return;
    case Storage::BF16:
    case Storage::F16: {
      const auto* h = static_cast<const std::uint16_t*>(w.data);
      if (w.layout == Layout::OutIn) {
        widen_16(w, h + n0 * w.k, rows * w.k, out);
      } else {
        for (int64_t kk = 0; kk < w.k; ++kk) widen_16(w, h + kk * w.n + n0, rows, out + kk * rows);
      }
      return;
    }
    case Storage::Int8:
    case Storage::Int4: {
      // Block by block of the row's group (int8_code_index, int4_code_byte), each row's codes of one
      // chunk of 4 inputs at 4·(r % 16) in the chunk's 64 bytes.
      const auto* q = static_cast<const std::uint8_t*>(w.data);
      const int64_t blocks = int8_blocks(w.k);
      const bool int4 = w.storage == Storage::Int4;
      for (int64_t r = n0; r < n1; ++r) {
        float* o = out + (r - n0) * w.k;
        const std::uint8_t* group = q + quantized_group_at(w.storage, blocks, r);
        for (int64_t b = 0; b < blocks; ++b) {
          const std::uint8_t* row = group + quantized_codes_at(w.storage, b) + r % kInt8Rows * 4;
          const float s = widen_half(block_scales(group, w.storage, blocks, b)[r % kInt8Rows]);
          const int64_t c0 = b * kInt8Block, width = std::min(kInt8Block, w.k - c0);
          // The row's 4 codes (int8) or 8 (int4: low and high nibbles) of each chunk, 64 bytes apart.
          auto chunks = [&](int64_t first) {
            std::int32_t c[4];
            for (int64_t j = 0; j < 4; ++j) std::memcpy(&c[j], row + 64 * (first + j), 4);
            return _mm_setr_epi32(c[0], c[1], c[2], c[3]);
          };
          const __m256 scale = _mm256_set1_ps(s);
          alignas(32) float v[kInt8Block];
          auto put = [&](__m128i codes, int64_t at, bool is_signed) {  // 16 codes to v[at, at + 16)
            for (int64_t h = 0; h < 2; ++h, codes = _mm_srli_si128(codes, 8)) {
              const __m256i i32 = is_signed ? _mm256_cvtepi8_epi32(codes) : _mm256_cvtepu8_epi32(codes);
              __m256 f = _mm256_cvtepi32_ps(i32);
              if (!is_signed) f = _mm256_sub_ps(f, _mm256_set1_ps(8.f));
              _mm256_store_ps(v + at + 8 * h, _mm256_mul_ps(f, scale));
            }
          };
          if (int4) {
            const __m128i pairs = chunks(0), nibble = _mm_set1_epi8(15);
            put(_mm_and_si128(pairs, nibble), 0, false);
            put(_mm_and_si128(_mm_srli_epi16(pairs, 4), nibble), 16, false);
          } else {
            put(chunks(0), 0, true);
            put(chunks(4), 16, true);
          }
          std::copy(v, v + width, o + c0);
        }
      }
      return;
    }
  }
}

PackedWeight pack_weight(const float* src, int64_t n, int64_t k, Layout layout, Storage storage,
                         HugePageArena* arena) {
  PackedWeight p;
  p.half = PackedBuffer<std::uint16_t>(PackedBuffer<std::uint16_t>::allocator_type(arena));
  p.q = PackedBuffer<std::int8_t>(PackedBuffer<std::int8_t>::allocator_type(arena));
  const auto count = static_cast<std::size_t>(n * k);
  switch (storage) {
    case Storage::F32:
      p.f32_gemm = onednn::pack_f32_gemm(src, n, k, layout);
      p.view = {src, n, k, layout, Storage::F32, nullptr, p.f32_gemm.get()};
      return p;
    case Storage::BF16: p.half.resize(count);
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < count; ++i) p.half[i] = f32_to_bf16(src[i]);
      break;
    case Storage::F16: {
      p.half.resize(count);
      constexpr std::size_t kSlice = 4096;  // values per parallel work item
#pragma omp parallel for schedule(static)
      for (std::size_t v = 0; v < count; v += kSlice)
        f32_to_f16(src + v, p.half.data() + v, static_cast<int64_t>(std::min(kSlice, count - v)));
      break;
    }
    case Storage::Int8:
      quantize_blocks(
          src, n, k, layout, Storage::Int8, p, [&](int64_t r, int64_t b, const float* x, int64_t len) {
            std::int8_t codes[kInt8Block] = {};  // inputs past k stay 0
            const std::uint16_t scale = len ? quantize_weight_int8(x, len, codes) : 0;
            for (int64_t c = 0; c < kInt8Block; ++c)
              p.q[static_cast<std::size_t>(int8_code_index(int8_blocks(k), r, b * kInt8Block + c))] =
                  codes[c];
            return scale;
          });
      p.gemm = onednn::pack_int8_gemm(src, n, k, layout);
      p.view = {p.q.data(), n, k, Layout::OutIn, Storage::Int8, p.gemm.get()};
      return p;
    case Storage::Int4:
      quantize_blocks(
          src, n, k, layout, Storage::Int4, p, [&](int64_t r, int64_t b, const float* x, int64_t len) {
            std::uint8_t codes[kInt8Block];
            std::fill(codes, codes + kInt8Block, std::uint8_t{8});  // inputs past k: value 0
            const std::uint16_t scale = len ? half_scale(quantize_int4(x, len, codes)) : 0;
            // Each byte holds inputs c (low nibble) and c + 16 (high) of the block (int4_code_byte).
            for (int64_t c = 0; c < kInt8Block / 2; ++c)
              p.q[static_cast<std::size_t>(int4_code_byte(int8_blocks(k), r, b * kInt8Block + c))] =
                  static_cast<std::int8_t>(codes[c] | codes[c + 16] << 4);
            return scale;
          });
      p.view = {p.q.data(), n, k, Layout::OutIn, Storage::Int4};
      return p;
  }
  p.view = {p.half.data(), n, k, layout, storage};
  return p;
}

}  // namespace nib::kernels
