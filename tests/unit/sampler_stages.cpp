// Each sampling stage on hand-made logits: what greedy / top-k / top-p / min-p keep, the
// penalties' and logit bias' effect, seeded reproducibility, and option validation.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <vector>

#include <nib/error.hpp>

#include "runtime/sampler.hpp"

namespace {

using nib::TokenId;
using nib::detail::Sampler;

std::vector<float> log_probs(std::vector<float> p) {
  for (auto& x : p) x = std::log(x);
  return p;
}

std::map<TokenId, float> survivors(Sampler& s, const std::vector<float>& logits) {
  const std::size_t n = s.filter(logits);
  std::map<TokenId, float> out;
  for (std::size_t i = 0; i < n; ++i) out[s.ids()[i]] = s.probs()[i];
  return out;
}

nib::SamplingOptions sampling(float temperature = 1.f) {
  nib::SamplingOptions o;
  o.temperature = temperature;
  return o;
}

}  // namespace

TEST_CASE("greedy takes the argmax, the lowest id on ties") {
  Sampler s(sampling(0.f), 4);
  std::vector<float> l{1.f, 3.f, 3.f, -2.f};
  CHECK(s.sample(l, {}) == 1);
  CHECK(nib::detail::argmax(std::vector<float>{-1.f, -1.f}) == 0);
}

TEST_CASE("temperature 1 without filters keeps the softmax") {
  Sampler s(sampling(), 3);
  auto kept = survivors(s, log_probs({0.5f, 0.3f, 0.2f}));
  REQUIRE(kept.size() == 3);
  CHECK(kept[0] == doctest::Approx(0.5));
  CHECK(kept[2] == doctest::Approx(0.2));
}

TEST_CASE("temperature sharpens and flattens") {
  Sampler cold(sampling(0.5f), 2), hot(sampling(2.f), 2);
  auto l = log_probs({0.75f, 0.25f});
  CHECK(survivors(cold, l)[0] == doctest::Approx(0.9));  // 0.75² / (0.75² + 0.25²)
  CHECK(survivors(hot, l)[0] == doctest::Approx(std::sqrt(0.75) / (std::sqrt(0.75) + std::sqrt(0.25))));
}

TEST_CASE("top-k keeps the k best") {
  auto o = sampling();
  o.top_k = 2;
  Sampler s(o, 4);
  auto kept = survivors(s, {0.f, 3.f, 1.f, 2.f});
  CHECK(kept.size() == 2);
  CHECK(kept.count(1) == 1);
  CHECK(kept.count(3) == 1);
  CHECK(kept[1] + kept[3] == doctest::Approx(1.0));
}

TEST_CASE("top-p keeps the smallest prefix reaching p") {
  auto o = sampling();
  o.top_p = 0.7f;
  Sampler s(o, 3);
  auto kept = survivors(s, log_probs({0.2f, 0.5f, 0.3f}));
  CHECK(kept.size() == 2);
  CHECK(kept[1] == doctest::Approx(0.625));
  o.top_p = 0.4f;
  Sampler one(o, 3);
  CHECK(survivors(one, log_probs({0.2f, 0.5f, 0.3f})).size() == 1);
}

TEST_CASE("min-p drops tokens below min_p times the best") {
  auto o = sampling();
  o.min_p = 0.5f;
  Sampler s(o, 4);
  auto kept = survivors(s, log_probs({0.3f, 0.04f, 0.5f, 0.16f}));
  CHECK(kept.size() == 2);
  CHECK(kept.count(0) == 1);
  CHECK(kept.count(2) == 1);
}

TEST_CASE("repetition penalty divides positive and multiplies negative logits once per id") {
  auto o = sampling(0.f);
  o.repetition_penalty = 2.f;
  Sampler s(o, 3);
  std::vector<float> l{2.f, -2.f, 1.f};
  std::vector<TokenId> history{0, 1, 0};
  s.apply_penalties(l, history);
  CHECK(l == std::vector<float>{1.f, -4.f, 1.f});
}

TEST_CASE("presence and frequency penalties subtract per id and per occurrence, within the window") {
  auto o = sampling(0.f);
  o.presence_penalty = 0.5f;
  o.frequency_penalty = 0.25f;
  Sampler s(o, 3);
  std::vector<float> l{0.f, 0.f, 0.f};
  std::vector<TokenId> history{2, 2, 0};
  s.apply_penalties(l, history);
  CHECK(l[0] == doctest::Approx(-0.75));
  CHECK(l[1] == 0.f);
  CHECK(l[2] == doctest::Approx(-1.0));

  o.penalty_window = 1;  // only the last id counts
  Sampler w(o, 3);
  std::vector<float> l2{0.f, 0.f, 0.f};
  w.apply_penalties(l2, history);
  CHECK(l2[0] == doctest::Approx(-0.75));
  CHECK(l2[2] == 0.f);
}

TEST_CASE("logit bias shifts and bans tokens") {
  auto o = sampling(0.f);
  o.logit_bias[1] = -INFINITY;
  o.logit_bias[2] = 5.f;
  Sampler s(o, 3);
  std::vector<float> l{1.f, 9.f, 4.f};
  CHECK(s.sample(l, {}) == 2);
}

TEST_CASE("draws follow the distribution and a seed reproduces them") {
  auto o = sampling();
  o.seed = 42;
  Sampler a(o, 3), b(o, 3);
  const auto l = log_probs({0.5f, 0.3f, 0.2f});
  std::vector<int> counts(3, 0);
  std::vector<TokenId> seq_a, seq_b;
  for (int i = 0; i < 20000; ++i) {
    auto la = l, lb = l;
    seq_a.push_back(a.sample(la, {}));
    seq_b.push_back(b.sample(lb, {}));
    ++counts[static_cast<std::size_t>(seq_a.back())];
  }
  CHECK(seq_a == seq_b);
  CHECK(counts[0] / 20000.0 == doctest::Approx(0.5).epsilon(0.05));
  CHECK(counts[2] / 20000.0 == doctest::Approx(0.2).epsilon(0.05));
  o.seed = 43;
  Sampler c(o, 3);
  std::vector<TokenId> seq_c;
  for (int i = 0; i < 200; ++i) {
    auto lc = l;
    seq_c.push_back(c.sample(lc, {}));
  }
  CHECK(seq_c != std::vector<TokenId>(seq_a.begin(), seq_a.begin() + 200));
}

TEST_CASE("impossible sampling options are InvalidArgument") {
  auto check_bad = [](auto edit) {
    nib::SamplingOptions o;
    edit(o);
    try {
      Sampler s(o, 10);
      FAIL("accepted");
    } catch (const nib::Error& e) {
      CHECK(e.status() == nib::Status::InvalidArgument);
    }
  };
  check_bad([](auto& o) { o.temperature = -1.f; });
  check_bad([](auto& o) { o.temperature = NAN; });
  check_bad([](auto& o) { o.top_k = -1; });
  check_bad([](auto& o) { o.top_p = 0.f; });
  check_bad([](auto& o) { o.top_p = 1.5f; });
  check_bad([](auto& o) { o.min_p = -0.1f; });
  check_bad([](auto& o) { o.repetition_penalty = 0.f; });
  check_bad([](auto& o) { o.penalty_window = -1; });
  check_bad([](auto& o) { o.logit_bias[10] = 1.f; });
}
