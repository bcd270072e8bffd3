// attention: GQA, causal with a query offset (decode over a KV cache), sliding window, key padding
// mask, strided q/k/v/out, against a double-precision reference; the same with f16 keys and values
// (an f16 KV cache), and the f32 <-> f16 conversions against IEEE half encodings.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/kernels.hpp"
#include "random_floats.hpp"

using nib::testing::random_floats;

namespace nk = nib::kernels;

namespace {

// Keys and values as an f16 cache holds them: multiples of 2^-10 in (-2, 2) have at most 11
// significant bits, so they are exact in IEEE half and the double reference sees the same numbers.
std::vector<float> half_exact(std::vector<float> v) {
  for (auto& x : v) x = std::round(x * 1024.f) / 1024.f;
  return v;
}

std::vector<std::uint16_t> to_half(const std::vector<float>& v) {
  std::vector<std::uint16_t> h(v.size());
  nk::f32_to_f16(v.data(), h.data(), static_cast<std::int64_t>(v.size()));
  return h;
}

// Where row j of kv head g starts, and the floats K (or V) spans, in s's layout.
std::int64_t kv_at(const nk::AttentionShape& s, std::int64_t j, std::int64_t g) {
  return j * s.kv_stride + g * (s.kv_head_stride != 0 ? s.kv_head_stride : s.head_dim);
}
std::size_t kv_floats(const nk::AttentionShape& s) {
  return static_cast<std::size_t>(kv_at(s, s.n_kv - 1, s.n_kv_heads - 1) + s.head_dim);
}

void check_attention(const nk::AttentionShape& s, bool with_mask, bool half = false) {
  CAPTURE(s.n_q);
  CAPTURE(s.n_kv);
  CAPTURE(s.n_heads);
  CAPTURE(s.n_kv_heads);
  CAPTURE(s.head_dim);
  CAPTURE(s.q_pos0);
  CAPTURE(s.causal);
  CAPTURE(s.window);
  CAPTURE(s.kv_head_stride);
  CAPTURE(with_mask);
  CAPTURE(half);
  const auto q = random_floats(static_cast<std::size_t>(s.n_q * s.q_stride), 1, -2.f, 2.f);
  auto k = random_floats(kv_floats(s), 2, -2.f, 2.f);
  auto v = random_floats(kv_floats(s), 3, -2.f, 2.f);
  if (half) {
    k = half_exact(k);
    v = half_exact(v);
  }
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(s.n_kv), 1);
  for (std::size_t j = 0; j < mask.size(); ++j)
    if (with_mask && (j % 3 == 2 || j + 2 >= mask.size())) mask[j] = 0;
  std::vector<float> out(static_cast<std::size_t>(s.n_q * s.out_stride), 7.f);
  const auto kv_type = half ? nk::Storage::F16 : nk::Storage::F32;
  std::vector<float> scratch(static_cast<std::size_t>(nk::attention_scratch_floats(s, kv_type)));
  if (half) {
    const auto k16 = to_half(k), v16 = to_half(v);
    nk::attention(q.data(), k16.data(), v16.data(), s, out.data(), scratch.data(),
                  with_mask ? mask.data() : nullptr);
  } else {
    nk::attention(q.data(), k.data(), v.data(), s, out.data(), scratch.data(),
                  with_mask ? mask.data() : nullptr);
  }

  const double scale = s.scale != 0 ? s.scale : 1 / std::sqrt(double(s.head_dim));
  const std::int64_t group = s.n_heads / s.n_kv_heads;
  int bad = 0;
  for (std::int64_t i = 0; i < s.n_q; ++i)
    for (std::int64_t h = 0; h < s.n_heads; ++h) {
      const std::int64_t kvh = h / group, pos = s.q_pos0 + i;
      std::vector<double> p(static_cast<std::size_t>(s.n_kv), 0);
      double mx = -INFINITY;
      std::vector<bool> vis(static_cast<std::size_t>(s.n_kv));
      for (std::int64_t j = 0; j < s.n_kv; ++j) {
        vis[j] = mask[j] && (!s.causal || j <= pos) && (s.window <= 0 || pos - j < s.window);
        if (!vis[j]) continue;
        double d = 0;
        for (std::int64_t e = 0; e < s.head_dim; ++e)
          d += double(q[i * s.q_stride + h * s.head_dim + e]) * k[kv_at(s, j, kvh) + e];
        p[j] = d * scale;
        mx = std::max(mx, p[j]);
      }
      double sum = 0;
      for (std::int64_t j = 0; j < s.n_kv; ++j) sum += vis[j] ? (p[j] = std::exp(p[j] - mx)) : (p[j] = 0);
      for (std::int64_t e = 0; e < s.head_dim; ++e) {
        double ref = 0;
        for (std::int64_t j = 0; j < s.n_kv; ++j) ref += p[j] * v[kv_at(s, j, kvh) + e];
        ref = sum > 0 ? ref / sum : 0.0;  // no visible key: zeros
        const float got = out[i * s.out_stride + h * s.head_dim + e];
        if (std::abs(got - ref) > 1e-5 * 2.0 + 1e-5 * std::abs(ref)) {
          if (++bad <= 3) FAIL_CHECK("out[" << i << "," << h << "," << e << "] = " << got << " vs " << ref);
        }
      }
    }
  CHECK(bad == 0);
  // Padding after the heads in each out row is untouched.
  for (std::int64_t i = 0; i < s.n_q; ++i)
    for (std::int64_t e = s.n_heads * s.head_dim; e < s.out_stride; ++e)
      CHECK(out[i * s.out_stride + e] == 7.f);
}

nk::AttentionShape shape(std::int64_t n_q, std::int64_t n_kv, std::int64_t heads, std::int64_t kv_heads,
                         std::int64_t hd, bool causal, std::int64_t window = 0, std::int64_t pad = 0) {
  nk::AttentionShape s;
  s.n_q = n_q;
  s.n_kv = n_kv;
  s.n_heads = heads;
  s.n_kv_heads = kv_heads;
  s.head_dim = hd;
  s.q_stride = heads * hd + pad;
  s.kv_stride = kv_heads * hd + 2 * pad;
  s.out_stride = heads * hd + 3 * pad;
  s.q_pos0 = causal ? n_kv - n_q : 0;
  s.causal = causal;
  s.window = window;
  return s;
}

// The same with each KV head's rows contiguous (a KV cache's layout), padded between rows and heads.
nk::AttentionShape head_major(nk::AttentionShape s, std::int64_t pad) {
  s.kv_stride = s.head_dim + pad;
  s.kv_head_stride = (s.n_kv + 3) * s.kv_stride + pad;
  return s;
}

}  // namespace

TEST_CASE("kernels: attention prefill, causal, MHA and GQA, head dims off the vector width") {
  for (const std::int64_t hd : {1, 7, 8, 64, 100, 128})
    for (const auto& [h, kvh] : {std::pair{4, 4}, std::pair{6, 2}, std::pair{3, 1}})
      for (const std::int64_t n : {1, 5, 33}) check_attention(shape(n, n, h, kvh, hd, true, 0, 3), false);
}

TEST_CASE("kernels: attention decode (n_q = 1) over a long KV cache, and chunks with q_pos0 offset") {
  check_attention(shape(1, 1500, 8, 2, 64, true), false);
  check_attention(shape(1, 777, 9, 3, 64, true, 0, 5), false);
  check_attention(shape(7, 300, 4, 2, 32, true), false);  // second prompt chunk after 293 cached tokens
}

TEST_CASE("kernels: attention sliding window") {
  for (const std::int64_t w : {1, 4, 16, 1000}) {
    check_attention(shape(40, 40, 4, 2, 16, true, w), false);
    check_attention(shape(1, 300, 4, 1, 64, true, w), false);
  }
}

TEST_CASE("kernels: attention bidirectional with key padding mask (encoders)") {
  for (const std::int64_t n : {1, 6, 50}) {
    check_attention(shape(n, n, 12, 12, 64, false), true);
    check_attention(shape(n, n, 2, 2, 7, false, 0, 1), true);
    check_attention(shape(n, n, 4, 2, 16, true), true);
  }
  auto s = shape(10, 10, 2, 2, 16, false);
  s.scale = 0.3f;
  check_attention(s, false);
}

TEST_CASE("kernels: attention in query blocks (long prefill chunks and encoder batches)") {
  check_attention(shape(150, 150, 4, 2, 64, true, 0, 3), false);  // several blocks, causal
  check_attention(shape(130, 400, 6, 3, 40, true), false);        // a chunk after 270 cached tokens
  check_attention(shape(100, 100, 3, 1, 16, true, 20), false);    // window smaller than a block
  check_attention(shape(128, 128, 12, 12, 64, false), true);      // BERT-like with padding holes
  check_attention(shape(16, 16, 2, 2, 7, false, 0, 1), true);     // smallest block, odd head dim
}

// The f16 KV cache path: decode rows and prefill blocks over f16 keys/values, lengths that are and
// are not multiples of the 8-lane vectors, head dims with and without a tail, MHA and GQA.
TEST_CASE("kernels: attention over f16 keys and values (an f16 KV cache)") {
  for (const std::int64_t hd : {7, 8, 64, 100, 128})
    for (const auto& [h, kvh] : {std::pair{4, 4}, std::pair{6, 2}, std::pair{3, 1}})
      for (const std::int64_t n_kv : {1, 5, 8, 33, 64})
        check_attention(shape(1, n_kv, h, kvh, hd, true, 0, 3), false, true);  // decode
  check_attention(shape(1, 1500, 8, 2, 64, true), false, true);
  check_attention(shape(1, 1027, 15, 5, 64, true), false, true);        // SmolLM2-360M's heads
  check_attention(shape(7, 300, 4, 2, 32, true), false, true);          // a short chunk after 293 tokens
  check_attention(shape(150, 150, 4, 2, 64, true, 0, 3), false, true);  // prefill blocks, causal
  check_attention(shape(130, 400, 6, 3, 40, true), false, true);        // a block chunk after 270 tokens
  check_attention(shape(100, 100, 3, 1, 16, true, 20), false, true);    // window
  check_attention(shape(16, 16, 2, 2, 7, false, 0, 1), true, true);     // mask, odd head dim
}

// K and V with each head's rows contiguous (how a KV cache holds them), padded between rows and
// between heads: decode rows and prefill blocks, f32 and f16, MHA and GQA, with and without a window.
TEST_CASE("kernels: attention over head-major keys and values (a KV cache's layout)") {
  for (const bool half : {false, true}) {
    for (const std::int64_t hd : {7, 64})
      for (const auto& [h, kvh] : {std::pair{4, 4}, std::pair{6, 2}, std::pair{15, 5}})
        for (const std::int64_t n_kv : {1, 33, 200})
          check_attention(head_major(shape(1, n_kv, h, kvh, hd, true), 3), false, half);
    check_attention(head_major(shape(7, 300, 4, 2, 32, true), 1), false, half);        // a short chunk
    check_attention(head_major(shape(150, 150, 4, 2, 64, true), 2), false, half);      // prefill blocks
    check_attention(head_major(shape(130, 400, 6, 3, 40, true), 0), false, half);      // blocks after 270
    check_attention(head_major(shape(100, 100, 3, 1, 16, true, 20), 5), false, half);  // window
  }
}

// A decode step's shares (attention_rows, which takes a GQA group's heads together and may split a
// group between threads) give attention()'s rows bit for bit, in f32 and from an f16 cache, with
// token-major and head-major keys and values.
TEST_CASE("kernels: attention_rows shares of a decode step equal attention() exactly") {
  for (const bool half : {false, true})
    for (const std::int64_t hd : {20, 64, 80})
      for (const auto& [h, kvh] : {std::pair{15, 5}, std::pair{8, 1}, std::pair{4, 4}, std::pair{6, 2}})
        for (const std::int64_t n_kv : {1, 3, 64, 67, 130, 200})
          for (const bool per_head : {false, true}) {
            const auto token_major = shape(1, n_kv, h, kvh, hd, true, 0, 3);
            const auto s = per_head ? head_major(token_major, 3) : token_major;
            CAPTURE(half);
            CAPTURE(hd);
            CAPTURE(h);
            CAPTURE(kvh);
            CAPTURE(n_kv);
            CAPTURE(per_head);
            const auto q = random_floats(static_cast<std::size_t>(s.q_stride), 1, -2.f, 2.f);
            const auto k = random_floats(kv_floats(s), 2, -2.f, 2.f);
            const auto v = random_floats(kv_floats(s), 3, -2.f, 2.f);
            const auto k16 = to_half(k), v16 = to_half(v);
            const auto kv = half ? nk::Storage::F16 : nk::Storage::F32;
            std::vector<float> scratch(static_cast<std::size_t>(nk::attention_scratch_floats(s, kv)));
            std::vector<float> want(static_cast<std::size_t>(s.out_stride), 7.f), got = want;
            if (half)
              nk::attention(q.data(), k16.data(), v16.data(), s, want.data(), scratch.data());
            else
              nk::attention(q.data(), k.data(), v.data(), s, want.data(), scratch.data());
            // Shares as a 2-thread step cuts them (8 | 7 of 15 heads splits the middle group), and a
            // share of one head in the middle of a group.
            const std::int64_t cut = (h + 1) / 2, one = h > 2 ? 1 : 0;
            for (const auto& [r0, r1] : {std::pair{std::int64_t{0}, cut}, std::pair{cut, std::int64_t{h}},
                                         std::pair{one, one + 1}}) {
              const int slot = r0 == 0 ? 0 : nk::attention_slots() - 1;
              if (half)
                nk::attention_rows(q.data(), k16.data(), v16.data(), s, got.data(), scratch.data(), slot, r0,
                                   r1);
              else
                nk::attention_rows(q.data(), k.data(), v.data(), s, got.data(), scratch.data(), slot, r0, r1);
            }
            int bad = 0;
            for (std::size_t e = 0; e < want.size(); ++e)
              if (std::memcmp(&want[e], &got[e], sizeof(float)) != 0 && ++bad <= 3)
                FAIL_CHECK("out[" << e << "] = " << got[e] << " vs " << want[e]);
            CHECK(bad == 0);
          }
}

// f16 rounding of general values: the f16 kernel's output stays within the error rounding K and V
// to 11 significant bits implies (relative 2^-11 per element, so ~1e-3 of the output's scale).
TEST_CASE("kernels: attention with f16-rounded keys/values stays close to f32") {
  for (const auto& s : {shape(1, 777, 9, 3, 64, true, 0, 5), shape(64, 64, 4, 2, 64, true)}) {
    const auto q = random_floats(static_cast<std::size_t>(s.n_q * s.q_stride), 1, -2.f, 2.f);
    const auto k = random_floats(static_cast<std::size_t>(s.n_kv * s.kv_stride), 2, -2.f, 2.f);
    const auto v = random_floats(static_cast<std::size_t>(s.n_kv * s.kv_stride), 3, -2.f, 2.f);
    std::vector<float> ref(static_cast<std::size_t>(s.n_q * s.out_stride)), got = ref;
    std::vector<float> scratch(static_cast<std::size_t>(nk::attention_scratch_floats(s, nk::Storage::F16)));
    nk::attention(q.data(), k.data(), v.data(), s, ref.data(), scratch.data());
    const auto k16 = to_half(k), v16 = to_half(v);
    nk::attention(q.data(), k16.data(), v16.data(), s, got.data(), scratch.data());
    double worst = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, double(std::abs(got[i] - ref[i])));
    MESSAGE("n_q " << s.n_q << ", n_kv " << s.n_kv << ": max |f16 - f32| = " << worst);
    CHECK(worst < 5e-3);
    CHECK(worst > 0);  // the keys and values really were rounded
  }
}

TEST_CASE("kernels: f32 <-> f16 conversion rounds to nearest even, any length") {
  // 1, 1/3, 65504 (largest half), 2^-24 (smallest subnormal), 1 + 2^-11 (a tie: to even 1),
  // 1 + 3·2^-11 (a tie: to even 1 + 2^-9), -2, 70000 (overflow: +inf), 0.
  const std::vector<float> in = {1.f,  1.f / 3, 65504.f, 0x1p-24f, 1.f + 0x1p-11f, 1.f + 3 * 0x1p-11f,
                                 -2.f, 70000.f, 0.f};
  const std::vector<std::uint16_t> want = {0x3c00, 0x3555, 0x7bff, 0x0001, 0x3c00, 0x3c02, 0xc000, 0x7c00, 0};
  for (std::size_t n = 0; n <= in.size(); ++n) {
    CAPTURE(n);
    std::vector<std::uint16_t> h(in.size(), 0xabcd);
    nk::f32_to_f16(in.data(), h.data(), static_cast<std::int64_t>(n));
    for (std::size_t i = 0; i < in.size(); ++i) CHECK(h[i] == (i < n ? want[i] : 0xabcd));
    std::vector<float> back(in.size(), -7.f);
    nk::f16_to_f32(want.data(), back.data(), static_cast<std::int64_t>(n));
    const std::vector<float> exact = {1.f,  0.333251953125f, 65504.f, 0x1p-24f, 1.f, 1.f + 0x1p-9f,
                                      -2.f, INFINITY,        0.f};
    for (std::size_t i = 0; i < in.size(); ++i) CHECK(back[i] == (i < n ? exact[i] : -7.f));
  }
}
