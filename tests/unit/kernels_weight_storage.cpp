// Reduced weight storage (bf16, f16, int8, int4): conversion at load, and matmul (GEMV at M = 1;
// above it oneDNN's int8 matmul on the per-channel copy, oneDNN's bf16 matmul where the CPU has one,
// else the widened f32 path) against a double reference of what the kernel multiplies (tight) and of the
// original f32 weights (within the type's rounding bound, plus the rounding of x where the kernel
// rounds it: int8 and int4 per block at M = 1, u8 per row at M > 1, bf16 at M > 1).
// ctest also runs this file with DNNL_MAX_CPU_ISA=AVX2 (unit.kernels_weight_storage.avx2): the
// oneDNN kernels of AVX2-only CPUs (no VNNI, no bf16).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nib/error.hpp>

#include "file_builders.hpp"
#include "io/weight_store.hpp"
#include "kernels/cpu_isa.hpp"
#include "kernels/gemv_avx2.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_int8.hpp"
#include "kernels/onednn_matmul.hpp"
#include "models/weight_binder.hpp"
#include "random_floats.hpp"
#include "shared_data.hpp"

namespace nk = nib::kernels;

namespace {

using nib::testing::random_floats;

const char* name(nk::Storage s) {
  switch (s) {
    case nk::Storage::F32: return "f32";
    case nk::Storage::BF16: return "bf16";
    case nk::Storage::F16: return "f16";
    case nk::Storage::Int8: return "int8";
    case nk::Storage::Int4: return "int4";
  }
  return "?";
}

// The dequantised weights as [n, k] (OutIn) whatever the packed layout.
std::vector<float> dequantized_out_in(const nk::Weight& w) {
  std::vector<float> raw(static_cast<std::size_t>(w.n * w.k)), out(raw.size());
  nk::dequantize(w, 0, w.n, raw.data());
  for (std::int64_t j = 0; j < w.n; ++j)
    for (std::int64_t c = 0; c < w.k; ++c)
      out[j * w.k + c] = w.layout == nk::Layout::OutIn ? raw[j * w.k + c] : raw[c * w.n + j];
  return out;
}

// Largest |error| of one weight after conversion: half an ulp of bf16 (8 bits) or f16 (11 bits)
// relative to the weight, half a quantisation step (block absmax / 254) for int8, or with
// `per_channel` (the M > 1 copy) row absmax / 254; for int4 a quarter of the block's absmax (its
// least-squares scale may be up to 9 / 7.1 of Q4_0's, and a value of the opposite sign to the
// largest is clamped at +7 steps).
double weight_error_bound(nk::Storage s, const std::vector<float>& w_out_in, std::int64_t k, std::int64_t j,
                          std::int64_t c, bool per_channel = false) {
  const double v = std::abs(w_out_in[j * k + c]);
  switch (s) {
    case nk::Storage::BF16: return v * std::ldexp(1.0, -8);
    case nk::Storage::F16: return v * std::ldexp(1.0, -11) + std::ldexp(1.0, -25);
    case nk::Storage::Int8: {
      const std::int64_t b0 = per_channel ? 0 : c / nk::kInt8Block * nk::kInt8Block;
      const std::int64_t b1 = per_channel ? k : std::min(k, b0 + nk::kInt8Block);
      double amax = 0;
      for (std::int64_t i = b0; i < b1; ++i) amax = std::max(amax, double(std::abs(w_out_in[j * k + i])));
      return amax / 254.0 * 1.0001;
    }
    case nk::Storage::Int4: {
      const std::int64_t b0 = c / nk::kInt8Block * nk::kInt8Block, b1 = std::min(k, b0 + nk::kInt8Block);
      double amax = 0;
      for (std::int64_t i = b0; i < b1; ++i) amax = std::max(amax, double(std::abs(w_out_in[j * k + i])));
      return amax / 4.0;
    }
    case nk::Storage::F32: return 0;
  }
  return 0;
}

// The int8 and int4 GEMVs quantise each row of x too, per block of 32 with scale absmax / 127 (round to
// nearest): the x their integer dot products see, and each element's largest rounding error (half a step).
void quantize_x_like_gemv(std::vector<float>& x, std::vector<double>& err, std::int64_t k) {
  for (std::int64_t row = 0; row < static_cast<std::int64_t>(x.size()); row += k)
    for (std::int64_t b0 = row; b0 < row + k; b0 += nk::kInt8Block) {
      const std::int64_t b1 = std::min(row + k, b0 + nk::kInt8Block);
      float amax = 0;
      for (std::int64_t c = b0; c < b1; ++c) amax = std::max(amax, std::abs(x[c]));
      const float scale = amax / 127.f, inv = amax > 0 ? 127.f / amax : 0.f;
      for (std::int64_t c = b0; c < b1; ++c) {
        err[c] = std::abs(double(x[c]) - std::nearbyint(x[c] * inv) * double(scale)) * 1.0001 + 1e-12;
        x[c] = static_cast<float>(std::nearbyint(x[c] * inv)) * scale;
      }
    }
}

// The M > 1 int8 path quantises each row of x to u8 over [min(x, 0), max(x, 0)] with a zero point:
// each element's error is at most one step (half a step, or a whole one at the clamped ends).
void row_step_errors(const std::vector<float>& x, std::vector<double>& err, std::int64_t m, std::int64_t k) {
  const int levels = nk::onednn::activation_levels();
  for (std::int64_t i = 0; i < m; ++i) {
    float lo = 0, hi = 0;
    for (std::int64_t c = 0; c < k; ++c) lo = std::min(lo, x[i * k + c]), hi = std::max(hi, x[i * k + c]);
    for (std::int64_t c = 0; c < k; ++c) err[i * k + c] = (double(hi) - lo) / levels * 1.0001 + 1e-12;
  }
}

// bf16 matmuls at M > 1 round x to bf16: half an ulp (2^-8 relative).
void round_x_to_bf16(std::vector<float>& x, std::vector<double>& err) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::uint16_t h = 0;
    nk::round_to_bf16(&x[i], 1, &h);
    const std::uint32_t bits = std::uint32_t(h) << 16;
    float r = 0;
    std::memcpy(&r, &bits, sizeof r);
    err[i] = std::abs(double(x[i]) - r) * 1.0001 + 1e-30;
    x[i] = r;
  }
}

using MatmulFn = void (*)(const float*, std::int64_t, const nk::Weight&, const float*, float*, bool,
                          std::int64_t, std::int64_t);

void check(MatmulFn fn, nk::Storage storage, nk::Layout layout, std::int64_t m, std::int64_t k,
           std::int64_t n, bool with_bias, bool acc, float x_outlier = 0.f) {
  CAPTURE(name(storage));
  CAPTURE(layout == nk::Layout::OutIn);
  CAPTURE(m);
  CAPTURE(k);
  CAPTURE(n);
  CAPTURE(with_bias);
  CAPTURE(acc);
  const auto original = random_floats(n * k, 2);  // in `layout`
  std::vector<float> orig_out_in(original.size());
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t c = 0; c < k; ++c)
      orig_out_in[j * k + c] = layout == nk::Layout::OutIn ? original[j * k + c] : original[c * n + j];
  const auto packed = nk::pack_weight(original.data(), n, k, layout, storage);
  const nk::Weight& w = packed.view;
  REQUIRE(w.storage == storage);
  REQUIRE(w.n == n);
  REQUIRE(w.k == k);
  const auto deq = dequantized_out_in(w);
  auto x = random_floats(m * k, 1);
  if (x_outlier != 0.f) {  // rows that stress the per-row quantisation of x
    for (std::int64_t c = 0; c < k; ++c) x[c] = std::abs(x[c]) * x_outlier;  // one-sided, large
    if (m > 2) std::fill(x.begin() + k, x.begin() + 2 * k, 0.f);             // all zero
    if (m > 3) x[3 * k + k / 2] = -x_outlier;                                // one outlier
  }
  // What the kernel multiplies by: x itself, or x after its own rounding (int8 and int4 on the GEMV,
  // bf16 through oneDNN); oneDNN's int8 matmul quantises x per row and the weights per channel, bounded
  // below. (fn is matmul, or the GEMV at M = 1, which matmul_uses_gemv also answers.)
  const bool gemv = nk::matmul_uses_gemv(m, w);
  const bool int8_rows = storage == nk::Storage::Int8 && !gemv && w.gemm;
  auto xk = x;
  std::vector<double> x_err(x.size(), 0.0);
  if (nk::quantized(storage) && gemv) quantize_x_like_gemv(xk, x_err, k);
  if (int8_rows) row_step_errors(x, x_err, m, k);
  if (storage == nk::Storage::BF16 && !gemv && nk::onednn::has_bf16_matmul()) round_x_to_bf16(xk, x_err);
  std::vector<double> w_bound(orig_out_in.size());
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t c = 0; c < k; ++c)
      w_bound[j * k + c] =
          c > 0 && int8_rows ? w_bound[j * k] : weight_error_bound(storage, orig_out_in, k, j, c, int8_rows);
  const auto bias = random_floats(n, 3);
  const auto y0 = random_floats(m * n, 4);
  auto y = y0;
  fn(x.data(), m, w, with_bias ? bias.data() : nullptr, y.data(), acc, k, n);
  int bad = 0;
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double ref = 0, mag = 0, orig = 0, quant_err = 0;
      for (std::int64_t c = 0; c < k; ++c) {
        const double xv = x[i * k + c], xq = xk[i * k + c];
        ref += xq * deq[j * k + c];
        mag += std::abs(xq * deq[j * k + c]);
        orig += xv * orig_out_in[j * k + c];
        const double w_err = w_bound[j * k + c];
        quant_err += std::abs(xv) * w_err + x_err[i * k + c] * (std::abs(orig_out_in[j * k + c]) + w_err);
      }
      double extra = 0;
      if (with_bias) extra += bias[j], mag += std::abs(bias[j]);
      if (acc) extra += y0[i * n + j], mag += std::abs(y0[i * n + j]);
      const double got = y[i * n + j];
      // Tight: only f32 summation order separates us from the dequantised reference (int8 at M = 1:
      // integer sums, exact, scaled in f32).
      if (!int8_rows && std::abs(got - (ref + extra)) > 1e-5 * mag + 1e-30) {
        if (++bad <= 3)
          FAIL_CHECK("y[" << i << "," << j << "] = " << got << ", dequantised reference " << ref + extra);
      }
      // Loose: the original f32 weights, within the conversion's own error bound.
      if (std::abs(got - (orig + extra)) > quant_err + 1e-5 * mag + 1e-30) {
        if (++bad <= 3)
          FAIL_CHECK("y[" << i << "," << j << "] = " << got << ", f32 reference " << orig + extra);
      }
    }
  }
  CHECK(bad == 0);
}

void public_matmul(const float* x, std::int64_t m, const nk::Weight& w, const float* b, float* y, bool acc,
                   std::int64_t ldx, std::int64_t ldy) {
  nk::matmul(x, m, w, b, y, acc, ldx, ldy);
}

constexpr nk::Storage kReduced[] = {nk::Storage::BF16, nk::Storage::F16, nk::Storage::Int8,
                                    nk::Storage::Int4};

// The instruction sets this CPU runs, the baseline first.
std::vector<nk::Isa> available_isas() {
  const nk::Isa best = nk::active_isa();
  if (best == nk::Isa::Avx2) return {nk::Isa::Avx2};
  return {nk::Isa::Avx2, best};
}

// Caps the kernels' instruction set for one scope.
struct IsaLimit {
  explicit IsaLimit(nk::Isa isa) : previous(nk::set_isa_limit(isa)) {}
  ~IsaLimit() { nk::set_isa_limit(previous); }
  IsaLimit(const IsaLimit&) = delete;
  IsaLimit& operator=(const IsaLimit&) = delete;
  nk::Isa previous;
};

// A block scale as stored: a half, the smallest one >= the exact absmax / 127.
void check_half_scale(float stored, float exact) {
  CAPTURE(exact);
  std::uint16_t h;
  float back;
  nk::f32_to_f16(&stored, &h, 1);
  nk::f16_to_f32(&h, &back, 1);
  CHECK(back == stored);                                 // a half
  CHECK(stored >= exact);                                // rounded up
  CHECK(stored < exact * (1.f + std::ldexp(1.f, -10)));  // by less than one ulp of a half
}

// For the 2 × 40 OutIn matrix w packed as p (int8 or int4): the same matrix given as InOut ([K, N])
// packs to the same OutIn bytes, and an all-zero block has scale 0 and dequantises to 0.
void check_inout_and_zero(const std::vector<float>& w, const nk::PackedWeight& p) {
  const nk::Storage s = p.view.storage;
  std::vector<float> t(80);
  for (int j = 0; j < 2; ++j)
    for (int c = 0; c < 40; ++c) t[c * 2 + j] = w[j * 40 + c];
  const auto pt = nk::pack_weight(t.data(), 2, 40, nk::Layout::InOut, s);
  CHECK(pt.view.layout == nk::Layout::OutIn);
  CHECK(pt.q == p.q);  // codes and scales
  const std::vector<float> zero(32, 0.f);
  const auto pz = nk::pack_weight(zero.data(), 1, 32, nk::Layout::OutIn, s);
  CHECK(nk::quantized_scale(pz.view, 0, 0) == 0.f);
  std::vector<float> back(32, 1.f);
  nk::dequantize(pz.view, 0, 1, back.data());
  for (float v : back) CHECK(v == 0.f);
}

}  // namespace

TEST_CASE("weight storage: bf16 rounds to nearest even, f16 is exact on representable values") {
  // 1 + 2^-8 is halfway between two bf16 values: ties to the even one (1.0); 1 + 3·2^-8 rounds up.
  const std::vector<float> v = {1.f + std::ldexp(1.f, -8), 1.f + 3 * std::ldexp(1.f, -8), -2.5f, 0.f};
  const auto bf = nk::pack_weight(v.data(), 1, 4, nk::Layout::OutIn, nk::Storage::BF16);
  std::vector<float> back(4);
  nk::dequantize(bf.view, 0, 1, back.data());
  CHECK(back[0] == 1.f);
  CHECK(back[1] == 1.f + std::ldexp(1.f, -6));
  CHECK(back[2] == -2.5f);
  CHECK(back[3] == 0.f);
  const std::vector<float> h = {0.5f, -1024.f, 65504.f, std::ldexp(1.f, -24), 0.1f, 3.f, -7.f, 1.f, 2.f};
  const auto f16 = nk::pack_weight(h.data(), 1, 9, nk::Layout::OutIn, nk::Storage::F16);
  std::vector<float> hb(9);
  nk::dequantize(f16.view, 0, 1, hb.data());
  for (int i = 0; i < 9; ++i) {
    if (i == 4)
      CHECK(std::abs(hb[i] - 0.1f) < 1e-4f);
    else
      CHECK(hb[i] == h[i]);
  }
}

TEST_CASE("weight storage: int8 blocks of 32 along K, absmax scale, InOut packed as OutIn") {
  // Two outputs, K = 40: a full block and a partial one of 8 per output, in one group of 16 rows.
  std::vector<float> w(2 * 40);
  for (int i = 0; i < 80; ++i) w[i] = static_cast<float>((i * 37) % 23 - 11) / 8.f;
  w[5] = 4.f;    // absmax of row 0 block 0
  w[77] = -2.f;  // absmax of row 1 block 1
  const auto p = nk::pack_weight(w.data(), 2, 40, nk::Layout::OutIn, nk::Storage::Int8);
  REQUIRE(p.view.layout == nk::Layout::OutIn);
  REQUIRE(p.q.size() == 2 * 16 * 32 + 2 * 16 * 2);  // one group: two blocks' codes, then their scales
  // Scales are the smallest halves >= absmax / 127, so no code needs clamping.
  check_half_scale(nk::quantized_scale(p.view, 0, 0), 4.f / 127.f);
  check_half_scale(nk::quantized_scale(p.view, 1, 1), 2.f / 127.f);
  CHECK(p.q[nk::int8_code_index(2, 0, 5)] == 127);
  CHECK(p.q[nk::int8_code_index(2, 1, 37)] == -127);
  // Codes of one block and 4 inputs sit together, the group's 16 rows side by side; the group's
  // blocks of 512 code bytes are followed by each block's 16 scales (2 bytes each).
  CHECK(nk::int8_code_index(2, 1, 37) == 512 + 64 + 4 + 1);
  CHECK(nk::quantized_scale_byte(nk::Storage::Int8, 2, 1, 1) == 2 * 512 + 32 + 2);
  CHECK(nk::quantized_scale_byte(nk::Storage::Int8, 2, 17, 1) == 1088 + 2 * 512 + 32 + 2);
  std::uint16_t stored;
  std::memcpy(&stored, p.q.data() + 2 * 512 + 32 + 2, sizeof stored);
  float widened;
  nk::f16_to_f32(&stored, &widened, 1);
  CHECK(widened == nk::quantized_scale(p.view, 1, 1));
  // Padding (inputs 40..63, rows 2..15) is 0, so the kernels may read whole groups and blocks.
  for (std::int64_t r = 0; r < 16; ++r)
    for (std::int64_t c = 0; c < 64; ++c)
      if (r >= 2 || c >= 40) CHECK(p.q[nk::int8_code_index(2, r, c)] == 0);
  for (std::int64_t r = 2; r < 16; ++r) CHECK(nk::quantized_scale(p.view, r, 0) == 0.f);
  CHECK(nk::weight_bytes(p.view) == 16 * 64 + 16 * 2 * 2);
  check_inout_and_zero(w, p);
}

TEST_CASE("weight storage: int4 blocks of 32 along K, two codes a byte, InOut packed as OutIn") {
  // Two outputs, K = 40 (a full block and a partial one), as the int8 case.
  std::vector<float> w(2 * 40);
  for (int i = 0; i < 80; ++i) w[i] = static_cast<float>((i * 37) % 23 - 11) / 8.f;
  w[5] = 4.f;    // the largest magnitude of row 0 block 0
  w[9] = -4.f;   // its opposite: beyond +7 steps of Q4_0's scale 4 / -8
  w[77] = -2.f;  // the largest of row 1 block 1
  const auto p = nk::pack_weight(w.data(), 2, 40, nk::Layout::OutIn, nk::Storage::Int4);
  REQUIRE(p.view.layout == nk::Layout::OutIn);
  REQUIRE(p.view.gemm == nullptr);                  // M > 1 widens the codes: no second copy
  REQUIRE(p.q.size() == 2 * 16 * 16 + 2 * 16 * 2);  // one group: two blocks' code pairs, then scales
  auto code = [&](const nk::PackedWeight& pw, std::int64_t r, std::int64_t c) {
    const auto pair = static_cast<std::uint8_t>(pw.q[nk::int4_code_byte(2, r, c)]);
    return nk::int4_high_nibble(c) ? pair >> 4 : pair & 15;
  };
  // Byte layout: inputs 4j..4j+3 (low nibbles) and 16+4j.. (high) of a block share chunk j.
  CHECK(nk::int4_code_byte(2, 1, 37) == 256 + 64 + 4 + 1);
  CHECK(nk::int4_code_byte(2, 1, 21) == 64 + 4 + 1);
  CHECK(nk::quantized_scale_byte(nk::Storage::Int4, 2, 1, 1) == 2 * 256 + 32 + 2);
  CHECK(nk::int4_high_nibble(21));
  CHECK(!nk::int4_high_nibble(5));
  // Each block's squared rounding error is at most that of Q4_0's scale (largest magnitude m → −8).
  std::vector<float> back(80);
  nk::dequantize(p.view, 0, 2, back.data());
  for (int r = 0; r < 2; ++r)
    for (int b0 = 0; b0 < 40; b0 += 32) {
      const float* x = w.data() + r * 40 + b0;
      const int len = std::min(32, 40 - b0);
      float m = 0;
      for (int c = 0; c < len; ++c)
        if (std::abs(x[c]) > std::abs(m)) m = x[c];
      double ours = 0, q4_0 = 0;
      for (int c = 0; c < len; ++c) {
        const float q = std::clamp(std::nearbyint(x[c] / (m / -8.f)), -8.f, 7.f);
        q4_0 += std::pow(double(x[c]) - q * (m / -8.f), 2);
        ours += std::pow(double(x[c]) - back[r * 40 + b0 + c], 2);
        CHECK(code(p, r, b0 + c) ==
              std::nearbyint(back[r * 40 + b0 + c] / nk::quantized_scale(p.view, r, b0 / 32)) + 8);
      }
      CAPTURE(r);
      CAPTURE(b0);
      CHECK(ours <= q4_0 * (1 + 1e-6));
      CHECK(ours > 0);
    }
  // Padding (inputs 40..63, rows 2..15) is code 8, value 0, scale 0.
  for (std::int64_t r = 0; r < 16; ++r)
    for (std::int64_t c = 0; c < 64; ++c)
      if (r >= 2 || c >= 40) CHECK(code(p, r, c) == 8);
  for (std::int64_t r = 2; r < 16; ++r) CHECK(nk::quantized_scale(p.view, r, 0) == 0.f);
  CHECK(nk::weight_bytes(p.view) == 16 * 32 + 16 * 2 * 2);
  CHECK(nk::resident_bytes(p.view) == nk::weight_bytes(p.view));
  check_inout_and_zero(w, p);
}

TEST_CASE("weight storage: int8 and int4 tiles of two blocks start on 64-byte lines; padding is zero") {
  for (const auto s : {nk::Storage::Int8, nk::Storage::Int4}) {
    CAPTURE(static_cast<int>(s));
    const std::int64_t codes = nk::quantized_code_bytes(s), pair = nk::quantized_tile_bytes(s, 2);
    REQUIRE(codes == (s == nk::Storage::Int8 ? 512 : 256));
    // A pair of blocks fills whole lines (1088 or 576 bytes); a lone last block is padded (544 -> 576,
    // 288 -> 320).
    CHECK(pair == 2 * (codes + 32));
    CHECK(pair % 64 == 0);
    CHECK(nk::quantized_tile_bytes(s, 1) == (s == nk::Storage::Int8 ? 576 : 320));
    for (std::int64_t blocks = 1; blocks <= 9; ++blocks)
      CHECK(nk::quantized_group_bytes(s, blocks) ==
            blocks / 2 * pair + blocks % 2 * nk::quantized_tile_bytes(s, 1));
    // K = 96: blocks 0 and 1 share a tile (codes, codes, their scales), block 2 has its own.
    CHECK(nk::quantized_codes_at(s, 1) == codes);
    CHECK(nk::quantized_codes_at(s, 2) == pair);
    CHECK(nk::quantized_scale_byte(s, 3, 0, 0) == 2 * codes);
    CHECK(nk::quantized_scale_byte(s, 3, 5, 1) == 2 * codes + 32 + 10);
    CHECK(nk::quantized_scale_byte(s, 3, 0, 2) == pair + codes);
    const std::int64_t group = nk::quantized_group_bytes(s, 3);
    CHECK(nk::quantized_scale_byte(s, 3, 16, 2) == group + pair + codes);
    if (s == nk::Storage::Int8)
      CHECK(nk::int8_code_index(3, 0, 64) == pair);
    else
      CHECK(nk::int4_code_byte(3, 0, 64) == pair);
    // 20 rows (two groups): each group's last 32 bytes are padding, zero.
    const std::vector<float> w = random_floats(20 * 96, 3);
    const auto p = nk::pack_weight(w.data(), 20, 96, nk::Layout::OutIn, s);
    REQUIRE(static_cast<std::int64_t>(p.q.size()) == 2 * group);
    for (std::int64_t g = 0; g < 2; ++g)
      for (std::int64_t b = group - 32; b < group; ++b)
        CHECK(p.q[static_cast<std::size_t>(g * group + b)] == 0);
    std::vector<float> back(20 * 96);
    nk::dequantize(p.view, 0, 20, back.data());
    for (std::size_t i = 0; i < back.size(); ++i)
      CHECK(std::abs(back[i] - w[i]) <= (s == nk::Storage::Int8 ? 0.01f : 0.2f));
  }
}

TEST_CASE("weight storage: a weight no half scale can hold is an error naming the reason") {
  for (const auto s : {nk::Storage::Int8, nk::Storage::Int4}) {
    CAPTURE(static_cast<int>(s));
    for (const float bad :
         {1e7f, -3e9f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
      CAPTURE(bad);
      std::vector<float> w(3 * 40, 0.5f);
      w[57] = bad;
      try {
        nk::pack_weight(w.data(), 3, 40, nk::Layout::OutIn, s);
        FAIL("packed");
      } catch (const nib::Error& e) {
        CHECK(e.status() == nib::Status::Unsupported);
        CHECK(std::string(e.what()).find("half-precision scale") != std::string::npos);
      }
    }
    // Magnitudes that still fit: up to 127 · 65504 (int8), 7 · 65504 (int4: the largest weight may
    // take code 7 steps from 8).
    std::vector<float> w(40, 0.5f);
    w[3] = s == nk::Storage::Int8 ? 8.3e6f : -4.5e5f;
    const auto p = nk::pack_weight(w.data(), 1, 40, nk::Layout::OutIn, s);
    std::vector<float> back(40);
    nk::dequantize(p.view, 0, 1, back.data());
    CHECK(back[3] == doctest::Approx(w[3]).epsilon(0.01));
  }
}

TEST_CASE("weight storage: the binder names the tensor whose weights no half scale can hold") {
  const auto dir = nib::test::scratch_dir("half_scale");
  std::vector<float> w(16 * 32, 0.25f);
  w[40] = 2e7f;
  nib::test::write_file(
      dir / "model.safetensors",
      nib::test::safetensors_bytes({{"proj.weight", "F32", {16, 32}, nib::test::f32_bytes(w)}}));
  const auto store = nib::io::WeightStore::open(dir);
  nib::models::WeightBinder binder(store, nk::Storage::Int8);
  CHECK_THROWS_WITH_AS(binder.matrix("proj.weight", 16, 32, nk::Layout::OutIn),
                       doctest::Contains("proj.weight: int8 weights"), nib::Error);
  nib::models::WeightBinder f32(store, nk::Storage::F32);  // f32 keeps it as it is
  CHECK(f32.matrix("proj.weight", 16, 32, nk::Layout::OutIn).f32()[40] == 2e7f);
}

TEST_CASE("weight storage: GEMV of each type and layout matches the dequantised and f32 references") {
  // Every kernel this CPU can run: the AVX2 baseline (forced) and, where present, AVX-512/VNNI.
  for (const auto isa : available_isas()) {
    CAPTURE(static_cast<int>(isa));
    const IsaLimit limit(isa);
    for (const auto s : kReduced)
      for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
        for (const std::int64_t k : {1, 7, 8, 16, 31, 32, 33, 63, 64, 65, 96, 100, 257})
          for (const std::int64_t n : {1, 3, 4, 7, 9, 64, 100})
            check(nk::gemv::matmul, s, layout, 1, k, n, n % 2 == 1, k % 2 == 0);
  }
}

TEST_CASE("weight storage: the AVX2 and AVX-512 GEMV paths agree on large shapes") {
  if (available_isas().size() < 2) return;  // nothing to compare on an AVX2-only CPU
  for (const auto s : kReduced) {
    CAPTURE(name(s));
    for (const auto isa : available_isas()) {
      const IsaLimit limit(isa);
      check(public_matmul, s, nk::Layout::OutIn, 1, 960, 2560, true, false);
      check(public_matmul, s, nk::Layout::OutIn, 1, 2560, 962, false, true);
    }
  }
}

TEST_CASE(
    "weight storage: matmul of reduced weights at M > 1 (GEMV / oneDNN int8 / bf16 / widened) and M = 1") {
  for (const auto isa : available_isas()) {
    CAPTURE(static_cast<int>(isa));
    const IsaLimit limit(isa);
    for (const auto s : kReduced)
      for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
        for (const std::int64_t m : {1, 2, 5, 33})
          for (const std::int64_t k : {7, 32, 100})
            for (const std::int64_t n : {3, 64, 100})
              for (const bool acc : {false, true}) check(public_matmul, s, layout, m, k, n, !acc, acc);
  }
}

TEST_CASE("weight storage: int8 and int4 on the GEMV give each of M rows exactly its M = 1 result") {
  // A prompt's rows then get the logits a decode step would give them.
  const std::int64_t k = 100, n = 70;
  const auto wf = random_floats(n * k, 8);
  for (const auto s : {nk::Storage::Int8, nk::Storage::Int4}) {
    CAPTURE(name(s));
    const auto p = nk::pack_weight(wf.data(), n, k, nk::Layout::OutIn, s);
    for (const std::int64_t m : {2, 4, 17, 130, 600}) {  // 600: int4 takes x 256 rows at a time
      if (!nk::matmul_uses_gemv(m, p.view)) continue;
      CAPTURE(m);
      const auto x = random_floats(m * k, 9);
      const auto bias = random_floats(n, 10);
      std::vector<float> many(m * n), one(n);
      nk::matmul(x.data(), m, p.view, bias.data(), many.data());
      int differ = 0;
      for (std::int64_t i = 0; i < m; ++i) {
        nk::matmul(x.data() + i * k, 1, p.view, bias.data(), one.data());
        differ += !std::equal(one.begin(), one.end(), many.begin() + i * n);
      }
      CHECK(differ == 0);
    }
  }
  // Int4 has no M > 1 copy: every M takes the GEMV (faster than widening at every size measured).
  const auto p4 = nk::pack_weight(wf.data(), n, k, nk::Layout::OutIn, nk::Storage::Int4);
  CHECK(nk::matmul_uses_gemv(4096, p4.view));
}

TEST_CASE("weight storage: large shapes (thread split, InOut row split, several widened slices)") {
  for (const auto s : kReduced)
    for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut}) {
      check(public_matmul, s, layout, 1, 768, 2304, true, false);
      check(public_matmul, s, layout, 1, 3072, 768, false, true);
      check(public_matmul, s, layout, 4, 2000, 700, true, false);
    }
}

TEST_CASE("weight storage: InOut M = 1 row kernel (bf16, f16) on and off its group and step widths") {
  for (const int threads : {1, 0}) {
    CAPTURE(threads);
    nk::set_num_threads(threads);
    for (const auto s : {nk::Storage::BF16, nk::Storage::F16})
      for (const std::int64_t k : {1, 5, 131})
        for (const std::int64_t n : {8, 17, 30, 40, 259})
          for (const bool acc : {false, true}) check(public_matmul, s, nk::Layout::InOut, 1, k, n, !acc, acc);
  }
  nk::set_num_threads(0);
}

TEST_CASE("weight storage: int8 at M > 1 uses its per-channel copy through oneDNN's int8 matmul") {
  const std::vector<float> w = random_floats(64 * 40, 5);
  const auto p = nk::pack_weight(w.data(), 64, 40, nk::Layout::OutIn, nk::Storage::Int8);
  if (nk::onednn::activation_levels() < 255) {  // no VNNI: M > 1 widens the blocks (tested above)
    CHECK(p.view.gemm == nullptr);
    CHECK(nk::resident_bytes(p.view) == nk::weight_bytes(p.view));
    return;
  }
  REQUIRE(p.view.gemm != nullptr);
  CHECK(nk::resident_bytes(p.view) > nk::weight_bytes(p.view) + 64 * 40);
  // Memory: both int8 copies of bert-base's matrices hold ~2.07 bytes a weight (blocks: 1 + 2/32,
  // per channel: 1 + 8 per output), about half their f32 size.
  for (const auto& [n, k] : {std::pair<std::int64_t, std::int64_t>{768, 768}, {3072, 768}, {768, 3072}}) {
    const auto big = random_floats(n * k, 7);
    const auto pb = nk::pack_weight(big.data(), n, k, nk::Layout::OutIn, nk::Storage::Int8);
    CHECK(nk::resident_bytes(pb.view) >= n * k * 2 + n * k / 16);
    CHECK(nk::resident_bytes(pb.view) <= n * k * 2 + n * k / 16 + 8 * n + 4096);
  }
  // Rows padded to 16 share a primitive: 17 and 20 rows cost at most one new one.
  const auto x = random_floats(20 * 40, 6);
  std::vector<float> y(20 * 64);
  nk::matmul(x.data(), 17, p.view, nullptr, y.data());
  const auto cached = nk::onednn::cached_int8_primitives();
  nk::matmul(x.data(), 20, p.view, nullptr, y.data());
  CHECK(nk::onednn::cached_int8_primitives() == cached);
  // Shapes on and off the block and vector widths, chunks of 1024 rows, one-sided / zero / outlier
  // rows, one thread and all of them.
  for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
    for (const std::int64_t m : {2, 17, 300})
      for (const std::int64_t k : {1, 31, 100, 257})
        for (const std::int64_t n : {1, 33, 100})
          check(public_matmul, nk::Storage::Int8, layout, m, k, n, true, m % 2 == 1, 8.f);
  check(public_matmul, nk::Storage::Int8, nk::Layout::OutIn, 1030, 96, 48, false, true, 100.f);
  nk::set_num_threads(1);  // primitives are keyed by the thread count; the packed layout is shared
  check(public_matmul, nk::Storage::Int8, nk::Layout::OutIn, 16, 64, 16, true, false, 8.f);
  check(public_matmul, nk::Storage::Int8, nk::Layout::InOut, 130, 257, 33, false, true, 8.f);
  nk::set_num_threads(0);
}

TEST_CASE("weight storage: packed_bytes is what pack_weight then allocates, for every type and layout") {
  // What a memory cap charges before a matrix is packed (models::WeightBinder::on_hold).
  for (const auto storage :
       {nk::Storage::F32, nk::Storage::BF16, nk::Storage::F16, nk::Storage::Int8, nk::Storage::Int4})
    for (const auto layout : {nk::Layout::OutIn, nk::Layout::InOut})
      for (const auto& [n, k] :
           {std::pair<std::int64_t, std::int64_t>{1, 1}, {17, 33}, {64, 96}, {100, 257}}) {
        CAPTURE(static_cast<int>(storage));
        CAPTURE(n);
        CAPTURE(k);
        const auto w = random_floats(static_cast<std::size_t>(n * k), 9);
        const auto p = nk::pack_weight(w.data(), n, k, layout, storage);
        // f32 is used in place: only its prepacked copy (if oneDNN wants one) is allocated.
        const auto own =
            nk::resident_bytes(p.view) - (storage == nk::Storage::F32 ? nk::weight_bytes(p.view) : 0);
        CHECK(nk::packed_bytes(n, k, storage) == own);
      }
}

TEST_CASE("weight storage: matmul_many of reduced weights equals one matmul per projection") {
  // M = 300: int4's GEMV takes x in chunks of rows (each quantised in turn).
  for (const std::int64_t m : {1, 3, 300})
    for (const auto s : kReduced) {
      CAPTURE(m);
      CAPTURE(name(s));
      const std::int64_t k = 96;
      const auto x = random_floats(m * k, 1);
      const auto a = random_floats(200 * k, 2), b = random_floats(72 * k, 3);
      const auto bias = random_floats(200, 4);
      const auto pa = nk::pack_weight(a.data(), 200, k, nk::Layout::OutIn, s);
      const auto pb = nk::pack_weight(b.data(), 72, k, nk::Layout::InOut, s);
      std::vector<float> ya(m * 200), yb(m * 72), ra(m * 200), rb(m * 72);
      const nk::Projection ps[] = {{pa.view, bias.data(), ya.data()}, {pb.view, nullptr, yb.data()}};
      nk::matmul_many(x.data(), m, ps);
      nk::matmul(x.data(), m, pa.view, bias.data(), ra.data());
      nk::matmul(x.data(), m, pb.view, nullptr, rb.data());
      CHECK(ya == ra);
      CHECK(yb == rb);
    }
}

TEST_CASE("weight storage: matvec_rows over splits of the outputs equals matmul") {
  // Splits at multiples of 4 on and off the int8 row groups (16), and for int8 and int4 anywhere
  // (their groups are computed whole); the x row prepared once (matvec_input) for all of them, or not
  // quantised (int8 and int4 then quantise per call).
  const std::int64_t k = 100, n = 71;
  const auto x = random_floats(k, 1), w = random_floats(n * k, 2), bias = random_floats(n, 3);
  using Split = std::vector<std::pair<std::int64_t, std::int64_t>>;
  const Split on4 = {{0, 8}, {8, 16}, {16, 36}, {36, 64}, {64, 71}};
  const Split anywhere = {{0, 7}, {7, 16}, {16, 37}, {37, 64}, {64, 71}};
  for (const auto isa : available_isas()) {
    const IsaLimit limit(isa);
    for (const auto s :
         {nk::Storage::F32, nk::Storage::BF16, nk::Storage::F16, nk::Storage::Int8, nk::Storage::Int4}) {
      CAPTURE(std::string(name(s)));
      CAPTURE(static_cast<int>(isa));
      const auto p = nk::pack_weight(w.data(), n, k, nk::Layout::OutIn, s);
      std::vector<float> full(n), acc_full(n, 0.5f);
      nk::matmul(x.data(), 1, p.view, bias.data(), full.data());
      nk::matmul(x.data(), 1, p.view, bias.data(), acc_full.data(), true);
      for (const auto prepared_as : {s, nk::Storage::F32}) {
        const auto in = nk::matvec_input(x.data(), k, prepared_as);
        std::vector<float> y(n), acc(n, 0.5f);
        for (const auto& [n0, n1] : nk::quantized(s) ? anywhere : on4) {
          nk::matvec_rows(in, p.view, bias.data(), y.data(), false, n0, n1);
          nk::matvec_rows(in, p.view, bias.data(), acc.data(), true, n0, n1);
        }
        CHECK(y == full);
        CHECK(acc == acc_full);
      }
      const auto narrow = nk::matvec_input(x.data(), k - 1, s);
      std::vector<float> y(n);
      CHECK_THROWS(nk::matvec_rows(narrow, p.view, nullptr, y.data(), false, 0, n));
    }
  }
}

TEST_CASE("weight storage: InOut M = 1 sums per block, the same at every thread count") {
  // K on and off the block (kPartialRows) and row-group widths; blocks computed in any order (as a
  // decode step's threads take them) and added up by sum_partials give matmul's result exactly,
  // and matmul's result does not depend on how many threads split the blocks.
  const std::int64_t n = 2304;
  for (const std::int64_t k :
       {std::int64_t{1}, nk::kPartialRows, 3 * nk::kPartialRows + 5, std::int64_t{768}}) {
    const auto x = random_floats(k, 1), w = random_floats(n * k, 2), bias = random_floats(n, 3);
    for (const auto s : {nk::Storage::F32, nk::Storage::BF16, nk::Storage::F16}) {
      CAPTURE(k);
      CAPTURE(std::string(name(s)));
      const auto p = nk::pack_weight(w.data(), n, k, nk::Layout::InOut, s);
      REQUIRE(nk::matvec_splits_rows(p.view));
      std::vector<float> one(n), acc_one(n, 0.5f);
      nk::set_num_threads(1);
      nk::matmul(x.data(), 1, p.view, bias.data(), one.data());
      nk::matmul(x.data(), 1, p.view, bias.data(), acc_one.data(), true);
      for (const int threads : {2, 3}) {
        nk::set_num_threads(threads);
        std::vector<float> y(n), acc(n, 0.5f);
        nk::matmul(x.data(), 1, p.view, bias.data(), y.data());
        nk::matmul(x.data(), 1, p.view, bias.data(), acc.data(), true);
        CHECK(y == one);
        CHECK(acc == acc_one);
      }
      nk::set_num_threads(0);
      const std::int64_t blocks = nk::partial_blocks(p.view);
      CHECK(blocks == (k + nk::kPartialRows - 1) / nk::kPartialRows);
      std::vector<float> partials(static_cast<std::size_t>(blocks * n), 7.f), y(n), acc(n, 0.5f);
      for (std::int64_t b = blocks - 1; b >= 0; --b)
        nk::matvec_partial(x.data(), p.view, b, partials.data() + b * n);
      nk::sum_partials(partials.data(), n, blocks, bias.data(), y.data(), false, n);
      nk::sum_partials(partials.data(), n, blocks, bias.data(), acc.data(), true, n);
      CHECK(y == one);
      CHECK(acc == acc_one);
      CHECK_THROWS(nk::matvec_partial(x.data(), p.view, blocks, partials.data()));
    }
  }
}

TEST_CASE("weight storage: int8 and int4 weights in InOut layout are rejected, not misread") {
  const std::vector<std::int8_t> q(8, 1);
  const std::vector<float> x(4, 1.f);
  std::vector<float> y(2);
  for (const auto s : {nk::Storage::Int8, nk::Storage::Int4}) {
    const nk::Weight w{q.data(), 2, 4, nk::Layout::InOut, s};
    CHECK_THROWS(nk::matmul(x.data(), 1, w, nullptr, y.data()));
  }
}
