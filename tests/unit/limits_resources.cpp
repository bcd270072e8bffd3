// Resource limits: LoadOptions::max_memory_bytes (each weight tensor as it is bound, at what it then holds,
// an encoder's prepacked copies, each causal session's KV cache and buffers when first used, all refused
// before allocating), a context filled to exactly n_ctx, and a 1 MB prompt (valid and invalid UTF-8) on a
// small context.
#include <doctest/doctest.h>

#include <functional>

#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include "error_of.hpp"
#include "io/safetensors.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_f32_packed.hpp"
#include "runtime/model_impl.hpp"
#include "shared_data.hpp"
#include "stories.hpp"

namespace {

using nib::test::error_of;
using nib::test::greedy;
namespace nk = nib::kernels;

using nib::Status;
using nib::TokenId;

std::filesystem::path stories_dir() {
  return nib::test::shared_path("models/stories260K");
}

const nib::Model& one_thread_stories() {
  static const nib::Model m = nib::Model::load(stories_dir(), {.threads = 1});
  return m;
}

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

// A checkpoint's weights as f32, counted from the file (every tensor is F32 in these).
std::uint64_t checkpoint_bytes(const std::filesystem::path& dir) {
  nib::io::SafetensorsFile f(dir / "model.safetensors");
  std::uint64_t n = 0;
  for (const auto& t : f.tensors()) n += t.bytes.size();
  return n;
}

// What stories260K holds with its matrices stored as `storage` (an f32 checkpoint): each [out, in]
// matrix what kernels::pack_weight makes of it, the embedding table (which is also its tied LM head)
// at int8 under int4, the norm vectors at f32 size.
std::uint64_t stories_held(nk::Storage storage) {
  nib::io::SafetensorsFile f(stories_dir() / "model.safetensors");
  std::uint64_t n = 0;
  for (const auto& t : f.tensors()) {
    if (t.shape.size() < 2) {
      n += t.bytes.size();
      continue;
    }
    const bool vocab = t.name == "model.embed_tokens.weight";
    const auto s = vocab && storage == nk::Storage::Int4 ? nk::Storage::Int8 : storage;
    n += static_cast<std::uint64_t>(nk::packed_bytes(t.shape[0], t.shape[1], s));
  }
  return n;
}

}  // namespace

TEST_CASE("max_memory_bytes: 16-bit, int8 and int4 weights are charged what their copies hold") {
  const std::uint64_t f32 = checkpoint_bytes(stories_dir());
  const std::vector<TokenId> prompt{1, 403, 407};
  for (const auto& [type, storage] : {std::pair{nib::WeightType::BF16, nk::Storage::BF16},
                                      {nib::WeightType::Int8, nk::Storage::Int8},
                                      {nib::WeightType::Int4, nk::Storage::Int4}}) {
    CAPTURE(static_cast<int>(type));
    nib::LoadOptions o;
    o.threads = 1;
    o.weights = type;
    const std::uint64_t held = stories_held(storage);
    CHECK(held < f32 * 3 / 4);  // int8 with its oneDNN copy is the largest: 0.59 of f32 here
    o.max_memory_bytes = held - 1;
    auto [status, msg] = error_of([&] { nib::Model::load(stories_dir(), o); });
    CHECK(status == Status::OutOfMemory);
    CHECK_MESSAGE(contains(msg, "allows " + std::to_string(held - 1)), msg);
    o.max_memory_bytes = held;  // exactly what the copies hold
    CHECK(nib::Model::load(stories_dir(), o).impl().memory().used() == held);
    // Where the f32 weights alone would not fit (see above), these run a session as well.
    o.max_memory_bytes = f32 - 1;
    auto m = nib::Model::load(stories_dir(), o);
    nib::SessionOptions so;
    so.n_ctx = 64;
    nib::Session s(m, so);
    CHECK(s.generate_ids(prompt, greedy(2)).ids.size() == 2);
  }
}

TEST_CASE("max_memory_bytes: the weights must fit, each tensor refused before it is bound") {
  const std::uint64_t weights = checkpoint_bytes(stories_dir());
  nib::LoadOptions o;
  o.threads = 1;
  o.max_memory_bytes = 1000;  // not even the first tensor
  auto [status, msg] = error_of([&] { nib::Model::load(stories_dir(), o); });
  CHECK(status == Status::OutOfMemory);
  CHECK_MESSAGE(
      contains(msg, "memory cap: model.embed_tokens.weight [512, 64] F32 of " + stories_dir().string() +
                        " needs 131072 bytes, and LoadOptions.max_memory_bytes allows 1000"),
      msg);
  o.max_memory_bytes = weights - 1;  // every tensor but the last byte: refused with what is held
  std::tie(status, msg) = error_of([&] { nib::Model::load(stories_dir(), o); });
  CHECK(status == Status::OutOfMemory);
  CHECK_MESSAGE(contains(msg, " bytes are already held, and LoadOptions.max_memory_bytes allows " +
                                  std::to_string(weights - 1)),
                msg);

  o.max_memory_bytes = weights;  // exactly the weights: loads, but no session state fits
  auto m = nib::Model::load(stories_dir(), o);
  nib::Session s(m);
  std::tie(status, msg) = error_of([&] { s.generate_ids(std::vector<TokenId>{1, 403}, greedy(1)); });
  CHECK(status == Status::OutOfMemory);
  CHECK_MESSAGE(contains(msg, "a session's KV cache and buffers (n_ctx 512) needs "), msg);
  CHECK_MESSAGE(contains(msg, std::to_string(weights) + " bytes are already held"), msg);
}

TEST_CASE("max_memory_bytes: an encoder's prepacked f32 copies are charged on top of the checkpoint") {
  // tiny-bert: 2 layers of q, k, v, attention output (64 x 64), FFN in (128 x 64) and out (64 x 128).
  const auto dir = nib::test::shared_path("models/tiny-bert");
  const std::uint64_t weights = checkpoint_bytes(dir);
  namespace onednn = nib::kernels::onednn;
  const auto copies =
      static_cast<std::uint64_t>(2 * (4 * onednn::f32_gemm_bytes(64, 64) + onednn::f32_gemm_bytes(128, 64) +
                                      onednn::f32_gemm_bytes(64, 128)));
  nib::LoadOptions o;
  o.threads = 1;
  if (copies == 0) MESSAGE("no prepacked f32 copies on this CPU (oneDNN prefers the plain layout)");
  if (copies > 0) {
    o.max_memory_bytes = weights + copies - 1;
    auto [status, msg] = error_of([&] { nib::Model::load(dir, o); });
    CHECK(status == Status::OutOfMemory);
    CHECK_MESSAGE(contains(msg, " of " + dir.string() + " needs "), msg);
  }
  o.max_memory_bytes = weights + copies;  // exactly: loads and classifies (encoders hold no session state)
  auto m = nib::Model::load(dir, o);
  nib::Session s(m);
  CHECK(s.classify("a fine day").labels.size() == 3);
}

TEST_CASE("max_memory_bytes: sessions share the model's budget and return it when destroyed") {
  const std::uint64_t weights = checkpoint_bytes(stories_dir());
  nib::LoadOptions o;
  o.threads = 1;
  o.max_memory_bytes = weights + 400'000;  // one 64-token context (~290 KB of state), not two
  auto m = nib::Model::load(stories_dir(), o);
  nib::SessionOptions so;
  so.n_ctx = 64;
  const std::vector<TokenId> prompt{1, 403, 407};
  auto first = std::make_unique<nib::Session>(m, so);
  CHECK(first->generate_ids(prompt, greedy(2)).ids.size() == 2);
  nib::Session second(m, so);
  auto [status, msg] = error_of([&] { second.generate_ids(prompt, greedy(2)); });
  CHECK(status == Status::OutOfMemory);
  CHECK_MESSAGE(contains(msg, "(n_ctx 64) needs"), msg);
  first.reset();  // its reservation goes back to the budget
  CHECK(second.generate_ids(prompt, greedy(2)).ids.size() == 2);
  // An impossible context is refused without trying to allocate it.
  so.n_ctx = std::int64_t{1} << 40;
  nib::Session huge(m, so);
  std::tie(status, msg) = error_of([&] { huge.generate_ids(prompt, greedy(1)); });
  CHECK(status == Status::InvalidArgument);
  CHECK_MESSAGE(contains(msg, "n_ctx 1099511627776 exceeds the limit"), msg);
}

TEST_CASE("a context filled to exactly n_ctx works; one more token is ContextFull") {
  nib::SessionOptions so;
  so.n_ctx = 16;
  std::vector<TokenId> prompt(16, 403);
  prompt[0] = 1;
  nib::Session s(one_thread_stories(), so);
  // A prompt of exactly n_ctx tokens fits (the sampled token needs no cache slot).
  auto out = s.generate_ids(prompt, greedy(1));
  CHECK(out.ids.size() == 1);
  CHECK(out.stop_reason == nib::StopReason::MaxTokens);
  std::vector<std::int64_t> last{15};
  CHECK(s.logits(prompt, last).size() == 1);
  // Prompt + new tokens == n_ctx + 1 (the last one never cached): every requested token, no stop.
  std::vector<TokenId> half(prompt.begin(), prompt.begin() + 8);
  out = nib::Session(one_thread_stories(), so).generate_ids(half, greedy(9));
  CHECK(out.ids.size() == 9);
  CHECK(out.stop_reason == nib::StopReason::MaxTokens);
  // One more prompt token than n_ctx.
  prompt.push_back(403);
  auto [status, msg] = error_of([&] { s.generate_ids(prompt, greedy(1)); });
  CHECK(status == Status::ContextFull);
  CHECK_MESSAGE(contains(msg, "the prompt has 17 tokens, the session's context holds 16"), msg);
  std::vector<std::int64_t> at16{16};
  CHECK(error_of([&] { s.logits(prompt, at16); }).first == Status::ContextFull);
}

TEST_CASE("a 1 MB prompt: tokenized, then ContextFull on a small context; 1 MB of invalid UTF-8 is refused") {
  // tiny-gpt2: a byte-level BPE tokenizer over a real GPT-2 vocabulary, with learned positions.
  const auto m = nib::Model::load(nib::test::shared_path("models/tiny-gpt2"), {.threads = 1});
  std::string text;
  text.reserve(1 << 20);
  while (text.size() < (1u << 20)) text += "Once upon a time, there was a little girl named Lily. ";
  nib::SessionOptions so;
  so.n_ctx = 64;
  so.threads = 1;
  nib::Session s(m, so);
  auto [status, msg] = error_of([&] { s.generate(text, greedy(4)); });
  CHECK(status == Status::ContextFull);
  const std::string has = "the prompt has ";
  REQUIRE_MESSAGE(contains(msg, has), msg);
  CHECK(std::stoll(msg.substr(msg.find(has) + has.size())) > 200'000);  // ~13 tokens per sentence
  CHECK(s.generate("Once upon a time", greedy(2)).ids.size() == 2);     // the session is still usable

  std::string bad(1 << 20, 'a');
  for (std::size_t i = 1000; i < bad.size(); i += 1000) bad[i] = '\xff';
  std::tie(status, msg) = error_of([&] { s.generate(bad, greedy(4)); });
  CHECK(status == Status::InvalidArgument);
  CHECK_MESSAGE(contains(msg, "not valid UTF-8 at byte offset 1000"), msg);
  std::tie(status, msg) = error_of([&] { m.tokenizer().encode(bad); });
  CHECK(status == Status::InvalidArgument);
  CHECK_MESSAGE(contains(msg, "byte offset 1000"), msg);
}
