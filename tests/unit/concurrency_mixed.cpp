// Eight threads share one causal Model and one encoder Model, each thread with its own Sessions,
// mixing generate (with and without adapters), classify (with and without adapters) and tokenize
// for a bounded number of rounds; every result equals the same work run alone on one thread. Plus
// cancellation racing with generation. Run under the tsan preset by tools/test.
#include <doctest/doctest.h>

#include <nib/adapter.hpp>
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <array>
#include <atomic>
#include <thread>
#include <variant>

#include "shared_data.hpp"

namespace {

using nib::TokenId;

struct Models {
  nib::Model llama = nib::Model::load(nib::test::shared_path("models/tiny-llama"));
  nib::Model bert = nib::Model::load(nib::test::shared_path("models/tiny-bert"));
  nib::Adapter llama_a =
      nib::Adapter::load(llama, nib::test::shared_path("models/tiny-llama/adapters/lora-a"));
  nib::Adapter bert_b = nib::Adapter::load(bert, nib::test::shared_path("models/tiny-bert/adapters/lora-b"));
};

using Result = std::variant<std::vector<TokenId>, std::vector<float>>;

// Job k of the mix; each creates its own Session(s), as an app thread would.
Result run_job(const Models& m, int k) {
  switch (k % 5) {
    case 0:
    case 1: {
      nib::Session s(m.llama, {.threads = 1});
      if (k % 5 == 1) {
        const nib::AdapterRef ref{m.llama_a, 1.f};
        s.use_adapters(std::span(&ref, 1));
      }
      nib::GenerateOptions o;
      o.max_new_tokens = 12;
      o.stop_at_eos = false;
      return s.generate("the cat sat on", o).ids;
    }
    case 2:
    case 3: {
      nib::Session s(m.bert, {.threads = 1});
      if (k % 5 == 3) {
        const nib::AdapterRef ref{m.bert_b, 0.5f};
        s.use_adapters(std::span(&ref, 1));
      }
      return s.classify("a quiet, moving film").logits;
    }
    default: return m.llama.tokenizer().encode("Tokenize 中文 and émojis 🙂 concurrently").ids;
  }
}

}  // namespace

TEST_CASE("8 threads mixing generate, classify, adapters and tokenize match single-thread runs") {
  const Models m;
  constexpr int kThreads = 8, kRounds = 3;
  std::vector<Result> want;
  for (int k = 0; k < 5; ++k) want.push_back(run_job(m, k));
  CHECK(want[0] != want[1]);  // the adapters change the results, so a mix-up would be seen
  CHECK(want[2] != want[3]);

  std::vector<std::vector<Result>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) got[t].push_back(run_job(m, t + r));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int r = 0; r < kRounds; ++r)
      CHECK_MESSAGE(got[t][r] == want[(t + r) % 5], "job " << (t + r) % 5 << " t " << t << " r " << r);
  }
}

TEST_CASE("cancel() racing with generation on other threads leaves every session usable") {
  const Models m;
  constexpr int kThreads = 4;
  std::vector<nib::Session> sessions;
  for (int t = 0; t < kThreads; ++t) sessions.emplace_back(m.llama, nib::SessionOptions{.threads = 1});
  std::array<std::atomic<bool>, kThreads> started{}, cancel_sent{};
  std::vector<nib::StopReason> reasons(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      nib::GenerateOptions o;
      o.max_new_tokens = 100000;
      o.stop_at_eos = false;
      auto g = sessions[t].generate("once", o, [&](std::string_view) {
        started[t] = true;
        // Held here until cancel() has been called, so it lands on a running call (a cancel made
        // after the call ended would be left pending for the next one).
        while (!cancel_sent[t]) std::this_thread::yield();
        return true;
      });
      reasons[t] = g.stop_reason;
    });
  }
  for (int t = 0; t < kThreads; ++t) {
    while (!started[t]) std::this_thread::yield();
    sessions[t].cancel();  // generation is under way: the cancel cannot be lost before it starts
    cancel_sent[t] = true;
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(reasons[t] == nib::StopReason::Cancelled);
    nib::GenerateOptions o;
    o.max_new_tokens = 2;
    o.stop_at_eos = false;
    CHECK(sessions[t].generate("once", o).ids.size() == 2);
  }
}
