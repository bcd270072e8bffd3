#include "models/decoder_lm.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <type_traits>
#include <utility>

#include <nib/error.hpp>

namespace nib::models {

namespace {
std::size_t sz(std::int64_t n) {
  return static_cast<std::size_t>(n);
}

// n_ctx comes from the caller, so size arithmetic is checked.
std::uint64_t checked_mul(std::uint64_t x, std::uint64_t y) {
  std::uint64_t r;
  if (__builtin_mul_overflow(x, y, &r))
    throw Error(Status::InvalidArgument, "the KV cache size overflows 64 bits (n_ctx too large)");
  return r;
}

std::uint64_t u(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}
}  // namespace

template <class Visit>
void DecoderState::buffers(const DecoderShape& s, std::int64_t n_ctx, std::int64_t b, KvCacheType kv,
                           Visit&& visit) {
  const auto mul = checked_mul;
  const std::uint64_t hidden = mul(u(b), u(s.hidden)), ffn = mul(u(b), u(s.ffn_width));
  visit(&DecoderState::x, hidden);
  visit(&DecoderState::xn, hidden);
  visit(&DecoderState::tmp, hidden);
  visit(&DecoderState::proj, mul(u(b), u(s.proj_width)));
  visit(&DecoderState::attn, mul(u(b), u(s.attn_width)));
  visit(&DecoderState::ffn_a, ffn);
  visit(&DecoderState::ffn_b, ffn);
  visit(&DecoderState::positions, u(b));
  visit(&DecoderState::inv_freq, u(s.rope_half));
  visit(&DecoderState::rope, mul(mul(u(b), 2), u(s.rope_half)));
  kernels::AttentionShape as;
  as.n_q = b;
  as.n_kv = n_ctx;
  as.n_heads = s.heads;
  as.n_kv_heads = s.kv_heads;
  as.head_dim = s.head_dim;
  const bool half = kv == KvCacheType::F16;
  visit(&DecoderState::attn_scratch,
        u(kernels::attention_scratch_floats(as, half ? kernels::Storage::F16 : kernels::Storage::F32)));
  const std::uint64_t cache = mul(mul(u(s.layers), u(n_ctx)), u(s.kv_dim));
  visit(&DecoderState::k_, half ? 0 : cache);
  visit(&DecoderState::v_, half ? 0 : cache);
  visit(&DecoderState::k16_, half ? cache : 0);
  visit(&DecoderState::v16_, half ? cache : 0);
  visit(&DecoderState::staging_, mul(mul(u(b), 2), u(s.kv_dim)));
}

DecoderState::DecoderState(const DecoderShape& s, std::int64_t n_ctx, std::int64_t max_batch, KvCacheType kv)
    : shape_(s), n_ctx_(n_ctx), max_batch_(max_batch), kv_(kv) {
  buffers(s, n_ctx, max_batch, kv,
          [this](auto member, std::uint64_t count) { (this->*member).resize(count); });
}

std::uint64_t DecoderState::bytes(const DecoderShape& shape, std::int64_t n_ctx, std::int64_t max_batch,
                                  KvCacheType kv) {
  std::uint64_t total = 0;
  buffers(shape, n_ctx, max_batch, kv, [&total](auto member, std::uint64_t count) {
    using Buffer = std::remove_reference_t<decltype(std::declval<DecoderState&>().*member)>;
    const std::uint64_t b = checked_mul(count, sizeof(typename Buffer::value_type));
    if (__builtin_add_overflow(total, b, &total))
      throw Error(Status::InvalidArgument, "the KV cache size overflows 64 bits (n_ctx too large)");
  });
  return total;
}

std::size_t DecoderState::cache_offset(std::int64_t layer) const {
  return sz(layer * n_ctx_ * shape_.kv_dim);
}

float* DecoderState::new_keys() {
  return staging_.data();
}

float* DecoderState::new_values() {
  return staging_.data() + sz(max_batch_ * shape_.kv_dim);
}

namespace {
void store_elements(const float* src, float* dst, std::int64_t n) {
  std::memcpy(dst, src, sizeof(float) * sz(n));
}
void store_elements(const float* src, std::uint16_t* dst, std::int64_t n) {
  kernels::f32_to_f16(src, dst, n);
}
}  // namespace

template <class T>
void DecoderState::store_rows(std::int64_t layer, const float* staged, T* cache, std::int64_t n,
                              std::int64_t c0, std::int64_t c1) const {
  const std::int64_t hd = shape_.head_dim, kv_dim = shape_.kv_dim;
  T* rows = cache + cache_offset(layer);
  for (std::int64_t t = 0; t < n; ++t)
    for (std::int64_t c = c0; c < c1;) {  // each head's part of [c0, c1) to that head's row
      const std::int64_t g = c / hd, end = std::min(c1, (g + 1) * hd);
      store_elements(staged + t * kv_dim + c, rows + sz((g * n_ctx_ + length_ + t) * hd + c - g * hd),
                     end - c);
      c = end;
    }
}

void DecoderState::store(std::int64_t layer, bool values, std::int64_t n, std::int64_t c0, std::int64_t c1) {
  const float* staged = values ? new_values() : new_keys();
  if (kv_ == KvCacheType::F16)
    store_rows(layer, staged, (values ? v16_ : k16_).data(), n, c0, c1);
  else
    store_rows(layer, staged, (values ? v_ : k_).data(), n, c0, c1);
}

void DecoderState::store_kv(std::int64_t layer, std::int64_t n) {
  store(layer, false, n, 0, shape_.kv_dim);
  store(layer, true, n, 0, shape_.kv_dim);
}

void DecoderState::store_keys(std::int64_t layer, std::int64_t c0, std::int64_t c1) {
  store(layer, false, 1, c0, c1);
}

void DecoderState::store_values(std::int64_t layer, std::int64_t c0, std::int64_t c1) {
  store(layer, true, 1, c0, c1);
}

kernels::AttentionShape DecoderState::cache_shape(const kernels::AttentionShape& as) const {
  kernels::AttentionShape s = as;
  s.kv_stride = shape_.head_dim;
  s.kv_head_stride = n_ctx_ * shape_.head_dim;
  return s;
}

void DecoderState::attend_rows(std::int64_t layer, const float* q, const kernels::AttentionShape& as,
                               float* out, int slot, std::int64_t r0, std::int64_t r1) {
  const std::size_t at = cache_offset(layer);
  const kernels::AttentionShape s = cache_shape(as);
  if (kv_ == KvCacheType::F16)
    kernels::attention_rows(q, k16_.data() + at, v16_.data() + at, s, out, attn_scratch.data(), slot, r0, r1);
  else
    kernels::attention_rows(q, k_.data() + at, v_.data() + at, s, out, attn_scratch.data(), slot, r0, r1);
}

void DecoderState::attend(std::int64_t layer, const float* q, const kernels::AttentionShape& as, float* out) {
  const std::size_t at = cache_offset(layer);
  const kernels::AttentionShape s = cache_shape(as);
  if (kv_ == KvCacheType::F16)
    kernels::attention(q, k16_.data() + at, v16_.data() + at, s, out, attn_scratch.data());
  else
    kernels::attention(q, k_.data() + at, v_.data() + at, s, out, attn_scratch.data());
}

void DecoderState::truncate(std::int64_t n) {
  if (n < 0 || n > length_) {
    throw Error(Status::InvalidArgument, "cannot truncate a KV cache of " + std::to_string(length_) +
                                             " tokens to " + std::to_string(n));
  }
  length_ = n;  // entries past n are overwritten before they are read again
}

float* DecoderState::lora(const AdapterView* adapters) {
  if (!adapters) return nullptr;
  const auto need = sz(max_batch_ * adapters->max_total_rank());
  if (lora_.size() < need) lora_.resize(need);
  return lora_.data();
}

void DecoderLM::check_context(std::int64_t n_ctx, std::int64_t max_batch) const {
  if (n_ctx <= 0 || max_batch <= 0) {
    throw Error(Status::InvalidArgument, "context length and batch must be positive (n_ctx " +
                                             std::to_string(n_ctx) + ", batch " + std::to_string(max_batch) +
                                             ")");
  }
  constexpr std::int64_t kMaxContext = 1 << 24;  // config.json's max_position_embeddings cap
  if (n_ctx > kMaxContext) {
    throw Error(Status::InvalidArgument,
                "n_ctx " + std::to_string(n_ctx) + " exceeds the limit of " + std::to_string(kMaxContext));
  }
  if (max_context() > 0 && n_ctx > max_context()) {
    throw Error(Status::InvalidArgument, "n_ctx " + std::to_string(n_ctx) + " exceeds " +
                                             config_.architecture + "'s " + std::to_string(max_context()) +
                                             " learned positions");
  }
}

std::unique_ptr<CausalState> DecoderLM::new_state(std::int64_t n_ctx, std::int64_t max_batch,
                                                  KvCacheType kv) const {
  check_context(n_ctx, max_batch);
  return std::make_unique<DecoderState>(shape_, n_ctx, std::min(max_batch, n_ctx), kv);
}

std::uint64_t DecoderLM::state_bytes(std::int64_t n_ctx, std::int64_t max_batch, KvCacheType kv) const {
  check_context(n_ctx, max_batch);
  return DecoderState::bytes(shape_, n_ctx, std::min(max_batch, n_ctx), kv);
}

DecoderState& DecoderLM::checked_state(std::span<const std::int32_t> ids, CausalState& state,
                                       std::span<const std::int64_t> rows) const {
  auto* s = dynamic_cast<DecoderState*>(&state);
  if (!s) throw Error(Status::Internal, "forward: state was not made by this model");
  const auto n = static_cast<std::int64_t>(ids.size());
  if (s->length() + n > s->capacity()) {
    throw Error(Status::ContextFull, "context full: " + std::to_string(s->length()) + " cached + " +
                                         std::to_string(n) + " new tokens exceed n_ctx " +
                                         std::to_string(s->capacity()));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= n || (i > 0 && rows[i] <= rows[i - 1])) {
      throw Error(Status::InvalidArgument, "forward: logits rows must be ascending indices into the " +
                                               std::to_string(n) + " new tokens");
    }
  }
  for (auto id : ids) {  // checked up front so a bad id leaves the state unchanged
    if (id < 0 || id >= config_.vocab_size) {
      throw Error(Status::InvalidArgument, "token id " + std::to_string(id) +
                                               " is outside the vocabulary of " +
                                               std::to_string(config_.vocab_size));
    }
  }
  return *s;
}

void DecoderLM::forward(std::span<const std::int32_t> ids, CausalState& state,
                        std::span<const std::int64_t> rows, float* logits,
                        const AdapterView* adapters) const {
  DecoderState* s = &checked_state(ids, state, rows);
  const auto n = static_cast<std::int64_t>(ids.size());
  const std::int64_t h = shape_.hidden, vocab = lm_head_.w.n;
  float* lora = s->lora(adapters);
  std::size_t next_row = 0;
  for (std::int64_t start = 0; start < n; start += s->max_batch()) {
    const std::int64_t c = std::min(s->max_batch(), n - start);
    const std::int64_t pos0 = s->length();
    for (std::int64_t i = 0; i < c; ++i) s->positions[sz(i)] = pos0 + i;
    layers(ids.subspan(sz(start), sz(c)), *s, adapters);
    s->set_length(pos0 + c);
    // Final norm and LM head only on the requested rows of this chunk, gathered contiguously.
    const std::size_t first = next_row;
    for (; next_row < rows.size() && rows[next_row] < start + c; ++next_row) {
      std::memcpy(s->xn.data() + (next_row - first) * sz(h), s->x.data() + sz((rows[next_row] - start) * h),
                  sizeof(float) * sz(h));
    }
    const auto m = static_cast<std::int64_t>(next_row - first);
    if (m == 0) continue;
    apply_norm(final_norm_, s->xn.data(), s->xn.data(), m, h);
    apply_linear(lm_head_, s->xn.data(), m, logits + first * sz(vocab), adapters, lora);
  }
}

void DecoderLM::forward_hidden(std::span<const std::int32_t> ids, CausalState& state, float* hidden,
                               const AdapterView* adapters) const {
  DecoderState& s = checked_state(ids, state, {});
  const auto n = static_cast<std::int64_t>(ids.size());
  const std::int64_t h = shape_.hidden;
  for (std::int64_t start = 0; start < n; start += s.max_batch()) {
    const std::int64_t c = std::min(s.max_batch(), n - start);
    const std::int64_t pos0 = s.length();
    for (std::int64_t i = 0; i < c; ++i) s.positions[sz(i)] = pos0 + i;
    layers(ids.subspan(sz(start), sz(c)), s, adapters);
    s.set_length(pos0 + c);
    apply_norm(final_norm_, s.x.data(), hidden + sz(start * h), c, h);
  }
}

Linear DecoderLM::bind_linear(WeightBinder& w, const std::string& module, const std::string& tensor_prefix,
                              std::int64_t in, std::int64_t out, kernels::Layout layout, int layer,
                              bool bias) {
  Linear lin;
  const std::string weight = tensor_prefix + ".weight";
  lin.w = layer < 0 ? w.vocab_matrix(weight, out, in, layout) : w.matrix(weight, out, in, layout);
  if (layer == 0) layer_weights_ += in * out;
  if (bias) lin.bias = w.get(tensor_prefix + ".bias", {out});
  lin.module = modules_.add(module, in, out, layout, layer);
  return lin;
}

void DecoderLM::residual_add(float* x, const float* y, std::int64_t n) const {
  kernels::add_inplace(x, y, n * shape_.hidden);
}

namespace {
std::atomic<DecodeStep> g_decode_step{DecodeStep::Fused};
// Fewer weight elements per layer than this (~1 MB in f32, ~40 µs of one core's streaming) run the
// decode step on one thread: five barriers per layer would cost more than the second core saves.
constexpr std::int64_t kTeamLayerWeights = 1 << 18;
}  // namespace

DecodeStep set_decode_step(DecodeStep mode) {
  return g_decode_step.exchange(mode);
}

int DecoderLM::decode_team(std::int64_t n, const AdapterView* adapters) const {
  const DecodeStep mode = g_decode_step.load(std::memory_order_relaxed);
  if (n != 1 || adapters || mode == DecodeStep::Reference) return 0;
  if (mode == DecodeStep::Fused && layer_weights_ < kTeamLayerWeights) return 1;
  return kernels::num_threads();
}

float* DecoderLM::thread_row(std::int64_t floats) {
  thread_local std::vector<float> row;
  if (row.size() < sz(floats)) row.resize(sz(floats));
  return row.data();
}

}  // namespace nib::models
