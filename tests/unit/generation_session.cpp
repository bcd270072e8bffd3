// Session generation on stories260K: stop strings spanning tokens, UTF-8-safe streaming, callback
// stop, cancellation from another thread, context-full both ways, seeded sampling, bad arguments.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include "error_of.hpp"
#include "shared_data.hpp"
#include "stories.hpp"

namespace {

using nib::test::greedy;
using nib::test::kOnce;
using nib::test::status_of;
using nib::test::stories;

using nib::TokenId;

}  // namespace

TEST_CASE("stop strings spanning tokens end the text and never leak into the stream") {
  REQUIRE(stories().has_tokenizer());
  nib::Session s(stories());
  auto full = s.generate_ids(kOnce, greedy(40));
  REQUIRE(full.text.rfind(", there was a little girl named Lily.", 0) == 0);

  auto o = greedy(40);
  o.stop = {"little girl", "never appears"};
  std::string streamed;
  auto out = s.generate_ids(kOnce, o, [&](std::string_view p) {
    streamed += p;
    return true;
  });
  CHECK(out.stop_reason == nib::StopReason::StopString);
  CHECK(out.text == ", there was a ");
  CHECK(streamed == out.text);
  CHECK(out.ids.size() < full.ids.size());

  // A stop string whose start appears but never completes is released in full.
  o.stop = {"Lily zzz"};
  streamed.clear();
  out = s.generate_ids(kOnce, o, [&](std::string_view p) {
    streamed += p;
    return true;
  });
  CHECK(out.stop_reason == nib::StopReason::MaxTokens);
  CHECK(out.text == full.text);
  CHECK(streamed == full.text);
}

TEST_CASE("streaming emits complete UTF-8 only, even when a character spans tokens") {
  // Byte-fallback ids <0xC3> (3 + 0xC3) and <0xAB> (3 + 0xAB) spell "ë". Biases plus a presence
  // penalty over a one-token window make greedy alternate C3, AB, C3, AB, ...
  nib::Session s(stories());
  auto o = greedy(8);
  o.sampling.logit_bias = {{3 + 0xC3, 200.f}, {3 + 0xAB, 100.f}};
  o.sampling.presence_penalty = 150.f;
  o.sampling.penalty_window = 1;
  std::vector<std::string> pieces;
  auto out = s.generate_ids(kOnce, o, [&](std::string_view p) {
    pieces.emplace_back(p);
    return true;
  });
  CHECK(out.ids == std::vector<TokenId>{198, 174, 198, 174, 198, 174, 198, 174});
  CHECK(out.text == "ëëëë");
  REQUIRE(!pieces.empty());
  for (const auto& p : pieces) CHECK(p == "ë");
}

TEST_CASE("the stream callback can stop generation") {
  nib::Session s(stories());
  int calls = 0;
  auto out = s.generate_ids(kOnce, greedy(40), [&](std::string_view) { return ++calls < 3; });
  CHECK(out.stop_reason == nib::StopReason::Callback);
  CHECK(calls == 3);
  CHECK(out.ids.size() <= 4);
}

TEST_CASE("cancel() from another thread stops within one token") {
  nib::SessionOptions so;
  so.drop_oldest_on_overflow = true;  // runs forever unless cancelled
  nib::Session s(stories(), so);
  std::atomic<int> produced{0};
  std::atomic<int> at_cancel{-1};
  std::thread canceller([&] {
    while (produced.load() < 5) std::this_thread::yield();
    at_cancel = produced.load();
    s.cancel();
  });
  auto o = greedy(1'000'000);
  auto out = s.generate_ids(kOnce, o, [&](std::string_view) {
    ++produced;
    return true;
  });
  canceller.join();
  CHECK(out.stop_reason == nib::StopReason::Cancelled);
  // At most the token in flight when cancel() was called, plus the one after it (pieces can lag ids).
  CHECK(static_cast<int>(out.ids.size()) <= at_cancel.load() + 3);
  // The session is usable afterwards.
  CHECK(s.generate_ids(kOnce, greedy(3)).ids.size() == 3);
}

TEST_CASE("a prompt longer than the context: ContextFull, or its newest tokens with drop_oldest") {
  nib::SessionOptions so;
  so.n_ctx = 16;
  std::vector<TokenId> long_prompt(20, 403);
  long_prompt[0] = 1;
  nib::Session strict(stories(), so);
  CHECK(status_of([&] { strict.generate_ids(long_prompt, greedy(4)); }) == nib::Status::ContextFull);
  std::vector<std::int64_t> last{19};
  CHECK(status_of([&] { strict.logits(long_prompt, last); }) == nib::Status::ContextFull);

  so.drop_oldest_on_overflow = true;
  nib::Session lenient(stories(), so);
  auto out = lenient.generate_ids(long_prompt, greedy(4));
  CHECK(out.ids.size() == 4);
  CHECK(out.stats.prompt_tokens == 20);
}

TEST_CASE("a context that fills while generating: stop with ContextFull, or drop the oldest and go on") {
  nib::SessionOptions so;
  so.n_ctx = 16;
  nib::Session strict(stories(), so);
  auto out = strict.generate_ids(kOnce, greedy(50));
  CHECK(out.stop_reason == nib::StopReason::ContextFull);
  CHECK(out.ids.size() == 16 - kOnce.size() + 1);  // the last sampled token needs no cache slot

  so.drop_oldest_on_overflow = true;
  nib::Session lenient(stories(), so);
  out = lenient.generate_ids(kOnce, greedy(50));
  CHECK(out.stop_reason == nib::StopReason::MaxTokens);
  CHECK(out.ids.size() == 50);
}

TEST_CASE("the same seed gives the same sample, another seed another one") {
  nib::Session s(stories());
  auto o = greedy(32);
  o.sampling.temperature = 1.f;
  o.sampling.top_p = 0.95f;
  o.sampling.seed = 7;
  auto a = s.generate_ids(kOnce, o);
  auto b = nib::Session(stories()).generate_ids(kOnce, o);
  CHECK(a.ids == b.ids);
  o.sampling.seed = 8;
  CHECK(s.generate_ids(kOnce, o).ids != a.ids);
}

TEST_CASE("EOS ends generation unless stop_at_eos is off") {
  nib::Session s(stories());
  auto o = greedy(5);
  o.sampling.logit_bias = {{2, 1000.f}};  // force EOS
  o.stop_at_eos = true;
  auto out = s.generate_ids(kOnce, o);
  CHECK(out.stop_reason == nib::StopReason::Eos);
  CHECK(out.ids == std::vector<TokenId>{2});
  CHECK(out.text.empty());
  o.stop_at_eos = false;
  CHECK(s.generate_ids(kOnce, o).ids.size() == 5);
}

TEST_CASE("impossible arguments are InvalidArgument naming the culprit") {
  nib::Session s(stories());
  auto bad = [&](const std::function<void()>& f) { CHECK(status_of(f) == nib::Status::InvalidArgument); };
  bad([&] { s.generate_ids(std::vector<TokenId>{1, 9999}, greedy(2)); });
  bad([&] { s.generate_ids(std::vector<TokenId>{1, -1}, greedy(2)); });
  bad([&] { s.generate_ids(std::vector<TokenId>{}, greedy(2)); });
  bad([&] { s.generate_ids(kOnce, greedy(-1)); });
  bad([&] {
    auto o = greedy(2);
    o.sampling.top_p = 0.f;
    s.generate_ids(kOnce, o);
  });
  bad([&] {
    std::vector<std::int64_t> pos{5};
    s.logits(kOnce, pos);
  });
  // A bad id leaves the cache usable.
  CHECK(s.generate_ids(kOnce, greedy(2)).ids.size() == 2);
  nib::Session encoder(nib::Model::load(nib::test::shared_path("models/tiny-bert")));
  bad([&] { encoder.generate_ids(kOnce, greedy(2)); });
}
