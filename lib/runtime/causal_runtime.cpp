#include "runtime/causal_runtime.hpp"

#include <algorithm>

#include <nib/error.hpp>

namespace nib::detail {

namespace {
constexpr std::int64_t kPrefillChunk = 512;  // tokens per whole-sequence forward (bounds the scratch)
}

CausalRuntime::CausalRuntime(const ModelImpl& owner, const SessionOptions& o) : lm(&owner.causal_lm()) {
  const models::CausalLM& model = *lm;
  const auto& c = model.config();
  std::int64_t n = o.n_ctx > 0 ? o.n_ctx : std::min(c.max_positions, o.max_default_ctx);
  if (n <= 0) throw Error(Status::InvalidArgument, "SessionOptions.max_default_ctx must be positive");
  const std::int64_t batch = std::min(n, kPrefillChunk);
  // The state, the logits row and the cached ids, reserved before any of them is allocated.
  const std::uint64_t bytes = model.state_bytes(n, batch, o.kv_cache) +
                              sizeof(float) * static_cast<std::uint64_t>(c.vocab_size) +
                              sizeof(TokenId) * static_cast<std::uint64_t>(n);
  memory_ =
      owner.memory().reserve(bytes, "a session's KV cache and buffers (n_ctx " + std::to_string(n) + ")");
  state = model.new_state(n, batch, o.kv_cache);
  cached_ids.reserve(static_cast<std::size_t>(n));
  logits.resize(static_cast<std::size_t>(c.vocab_size));
}

std::int64_t CausalRuntime::feed(std::span<const TokenId> ids, const models::AdapterView* adapters,
                                 const std::function<bool()>& cancelled) {
  if (ids.empty()) throw Error(Status::InvalidArgument, "the prompt has no tokens");
  const auto n = static_cast<std::int64_t>(ids.size());
  if (n > n_ctx()) {
    throw Error(Status::ContextFull, "context full: the prompt has " + std::to_string(n) +
                                         " tokens, the session's context holds " + std::to_string(n_ctx()));
  }
  for (TokenId id : ids) {  // before touching the cache
    if (id < 0 || id >= vocab()) {
      throw Error(Status::InvalidArgument, "token id " + std::to_string(id) +
                                               " is outside the vocabulary of " + std::to_string(vocab()));
    }
  }
  auto mismatch = std::mismatch(cached_ids.begin(), cached_ids.end(), ids.begin(), ids.end());
  // Keep at least the last id to feed: its logits are the result.
  const auto reuse = std::min<std::int64_t>(mismatch.first - cached_ids.begin(), n - 1);
  truncate(reuse);
  const std::int64_t chunk = kPrefillChunk;
  for (std::int64_t start = reuse; start < n; start += chunk) {
    if (start > reuse && cancelled && cancelled()) return -1;
    const std::int64_t c = std::min(chunk, n - start);
    const std::int64_t last = c - 1;
    const bool final_chunk = start + c == n;
    auto part = ids.subspan(static_cast<std::size_t>(start), static_cast<std::size_t>(c));
    lm->forward(part, *state, final_chunk ? std::span(&last, 1) : std::span<const std::int64_t>(),
                logits.data(), adapters);
    cached_ids.insert(cached_ids.end(), part.begin(), part.end());
  }
  return reuse;
}

void CausalRuntime::score(std::span<const TokenId> ids, std::span<const std::int64_t> rows, float* out,
                          const models::AdapterView* adapters, const std::function<bool()>& cancelled) {
  clear();
  append(ids, rows, out, adapters, cancelled);
}

void CausalRuntime::append(std::span<const TokenId> ids, std::span<const std::int64_t> rows, float* out,
                           const models::AdapterView* adapters, const std::function<bool()>& cancelled) {
  const auto n = static_cast<std::int64_t>(ids.size());
  const std::int64_t held = state->length();
  if (held + n > n_ctx()) {
    throw Error(Status::ContextFull, "context full: " + std::to_string(held + n) +
                                         " tokens do not fit in the session's context of " +
                                         std::to_string(n_ctx()));
  }
  std::vector<std::int64_t> local;  // rows of the current chunk, relative to it
  std::size_t next = 0;
  for (std::int64_t start = 0; start < n; start += kPrefillChunk) {
    if (start > 0 && cancelled && cancelled()) throw Error(Status::Cancelled, "cancelled");
    const std::int64_t c = std::min(kPrefillChunk, n - start);
    const std::size_t first = next;
    local.clear();
    for (; next < rows.size() && rows[next] < start + c; ++next) local.push_back(rows[next] - start);
    auto part = ids.subspan(static_cast<std::size_t>(start), static_cast<std::size_t>(c));
    lm->forward(part, *state, local, out + first * static_cast<std::size_t>(vocab()), adapters);
    cached_ids.insert(cached_ids.end(), part.begin(), part.end());
  }
}

void CausalRuntime::step(TokenId id, const models::AdapterView* adapters) {
  const std::int64_t row = 0;
  lm->forward(std::span(&id, 1), *state, std::span(&row, 1), logits.data(), adapters);
  cached_ids.push_back(id);
}

void CausalRuntime::truncate(std::int64_t n) {
  state->truncate(n);
  cached_ids.resize(static_cast<std::size_t>(n));
}

void CausalRuntime::clear() {
  truncate(0);
}

}  // namespace nib::detail
