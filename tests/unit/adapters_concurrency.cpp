// One Model, several threads, each Session with its own adapter set (one with none), running at
// once: every result equals the same work done alone. Run under the tsan preset too.
#include <doctest/doctest.h>

#include <nib/adapter.hpp>
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <thread>

#include "shared_data.hpp"

namespace {

using nib::TokenId;

struct Job {
  std::vector<nib::AdapterRef> adapters;
  std::vector<TokenId> want_ids;
  std::vector<float> want_logits;
};

std::vector<TokenId> run_generate(const nib::Model& model, const std::vector<nib::AdapterRef>& adapters,
                                  const std::vector<TokenId>& prompt) {
  nib::Session s(model);
  s.use_adapters(adapters);
  nib::GenerateOptions o;
  o.max_new_tokens = 16;
  o.stop_at_eos = false;
  return s.generate_ids(prompt, o).ids;
}

std::vector<float> run_classify(const nib::Model& model, const std::vector<nib::AdapterRef>& adapters) {
  nib::Session s(model);
  s.use_adapters(adapters);
  return s.classify("this film was wonderful, truly").logits;
}

}  // namespace

TEST_CASE("4 threads on one causal model, each session with a different adapter set") {
  auto dir = nib::test::shared_path("models/tiny-llama");
  auto model = nib::Model::load(dir);
  auto a = nib::Adapter::load(model, dir / "adapters/lora-a");
  auto b = nib::Adapter::load(model, dir / "adapters/lora-b");
  const std::vector<TokenId> prompt = {1, 403, 407, 261, 378};
  std::vector<Job> jobs = {
      {{}, {}, {}}, {{{a, 1.f}}, {}, {}}, {{{b, 1.f}}, {}, {}}, {{{a, 0.5f}, {b, 1.f}}, {}, {}}};
  for (auto& j : jobs) j.want_ids = run_generate(model, j.adapters, prompt);
  CHECK(jobs[0].want_ids != jobs[1].want_ids);

  std::vector<std::vector<TokenId>> got(jobs.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int rep = 0; rep < 3; ++rep) got[i] = run_generate(model, jobs[i].adapters, prompt);
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < jobs.size(); ++i) CHECK(got[i] == jobs[i].want_ids);
}

TEST_CASE("4 threads on one encoder, each session with a different classifier adapter") {
  auto dir = nib::test::shared_path("models/tiny-bert");
  auto model = nib::Model::load(dir);
  auto a = nib::Adapter::load(model, dir / "adapters/lora-a");
  auto b = nib::Adapter::load(model, dir / "adapters/lora-b");
  std::vector<Job> jobs = {{{}, {}, {}}, {{{a, 1.f}}, {}, {}}, {{{b, 1.f}}, {}, {}}, {{{a, 1.f}}, {}, {}}};
  for (auto& j : jobs) j.want_logits = run_classify(model, j.adapters);
  CHECK(jobs[0].want_logits != jobs[1].want_logits);

  std::vector<std::vector<float>> got(jobs.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int rep = 0; rep < 3; ++rep) got[i] = run_classify(model, jobs[i].adapters);
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < jobs.size(); ++i) CHECK(got[i] == jobs[i].want_logits);
}

TEST_CASE("an adapter loaded for another model is refused by a session") {
  auto dir = nib::test::shared_path("models/tiny-llama");
  auto m1 = nib::Model::load(dir);
  auto m2 = nib::Model::load(dir);
  auto a = nib::Adapter::load(m1, dir / "adapters/lora-a");
  nib::Session s(m2);
  std::vector<nib::AdapterRef> refs = {{a, 1.f}};
  CHECK_THROWS_WITH_AS(s.use_adapters(refs), doctest::Contains("different Model"), nib::Error);
}
