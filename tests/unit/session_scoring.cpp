// Session::score / choose / classify_in_context: the numbers equal the log-softmax of
// Session::logits (what `nib logits` prints) at the same positions, the shared-prefix path equals
// scoring each continuation on its own, a few-shot choice on stories260K is decisive, and bad input
// is a clear nib::Error.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>

#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include "error_of.hpp"
#include "shared_data.hpp"

namespace {

using nib::TokenId;
using nib::test::status_of;

const nib::Model& model(const std::string& folder) {
  static std::map<std::string, nib::Model> cache;
  auto it = cache.find(folder);
  if (it == cache.end())
    it = cache.emplace(folder, nib::Model::load(nib::test::shared_path("models/" + folder))).first;
  return it->second;
}

// log softmax(row)[id], computed here independently of the library.
double log_softmax_at(const std::vector<float>& row, TokenId id) {
  double top = -INFINITY;
  for (float x : row) top = std::max(top, double(x));
  double sum = 0;
  for (float x : row) sum += std::exp(double(x) - top);
  return double(row[static_cast<std::size_t>(id)]) - top - std::log(sum);
}

const std::string kStory = "Once upon a time, there was a little girl named Lily. She";
const std::vector<std::string> kContinuations{" loved to play outside with her friends.",
                                              " went to the park.", " table purple quickly the of sang.",
                                              " was"};

void check_equals_logits(const std::string& folder) {
  CAPTURE(folder);
  const nib::Model& m = model(folder);
  nib::Session session(m);
  const auto scores = session.score(kStory, kContinuations);
  REQUIRE(scores.size() == kContinuations.size());
  const auto prompt_ids = m.tokenizer().encode(kStory).ids;
  for (std::size_t c = 0; c < kContinuations.size(); ++c) {
    CAPTURE(kContinuations[c]);
    const auto& s = scores[c];
    // These prompts tokenise stably: the continuation ids are what the joint encoding adds.
    auto all = prompt_ids;
    all.insert(all.end(), s.ids.begin(), s.ids.end());
    CHECK(all == m.tokenizer().encode(kStory + kContinuations[c]).ids);
    std::vector<std::int64_t> positions;
    for (std::size_t i = 0; i < s.ids.size(); ++i)
      positions.push_back(std::int64_t(prompt_ids.size() + i) - 1);
    const auto rows = nib::Session(m).logits(all, positions);
    REQUIRE(s.token_logprobs.size() == s.ids.size());
    double sum = 0;
    for (std::size_t i = 0; i < s.ids.size(); ++i) {
      const double want = log_softmax_at(rows[i], s.ids[i]);
      CHECK(std::abs(s.token_logprobs[i] - want) <= 1e-4);
      sum += want;
    }
    CHECK(std::abs(s.logprob - sum) <= 1e-4);
    CHECK(s.logprob < 0);
  }
}

TEST_CASE("score equals the log-softmax of logits() at the continuation's positions") {
  check_equals_logits("stories260K");
  check_equals_logits("tiny-llama");
  check_equals_logits("tiny-gpt2");  // byte-level BPE, no BOS
}

TEST_CASE("the shared-prefix path gives the numbers of scoring each continuation on its own") {
  for (const std::string folder : {"stories260K", "tiny-llama"}) {
    CAPTURE(folder);
    const nib::Model& m = model(folder);
    nib::Session shared(m);
    // A cache holding an unrelated context first, then a partly matching one: reuse must not leak.
    shared.score("The dog ran", std::vector<std::string>{" home"});
    const auto together = shared.score(kStory, kContinuations);
    const auto again = shared.score(kStory, kContinuations);  // the prompt fully cached now
    nib::Session alone(m);
    for (std::size_t c = 0; c < kContinuations.size(); ++c) {
      CAPTURE(kContinuations[c]);
      alone.reset();
      const auto one = alone.score(kStory, std::span(&kContinuations[c], 1));
      REQUIRE(one.size() == 1);
      CHECK(one[0].ids == together[c].ids);
      CHECK(std::abs(one[0].logprob - together[c].logprob) <= 1e-4);
      CHECK(std::abs(again[c].logprob - together[c].logprob) <= 1e-4);
      for (std::size_t i = 0; i < one[0].ids.size(); ++i) {
        CHECK(std::abs(one[0].token_logprobs[i] - together[c].token_logprobs[i]) <= 1e-4);
      }
    }
  }
}

TEST_CASE("score moves the prompt's trailing whitespace into the continuation") {
  const nib::Model& m = model("stories260K");
  nib::Session session(m);
  const std::vector<std::string> word{"went"};
  const auto spaced = session.score(kStory + " ", word);
  const auto joined = session.score(kStory, std::vector<std::string>{" went"});
  CHECK(spaced[0].ids == joined[0].ids);
  CHECK(std::abs(spaced[0].logprob - joined[0].logprob) <= 1e-5);
}

TEST_CASE("choose: a fluent story continuation beats word salad on stories260K") {
  nib::Session session(model("stories260K"));
  const std::vector<std::string> choices{" loved to play outside with her friends.",
                                         " table purple quickly the of sang."};
  const auto r = session.choose(kStory, choices);
  REQUIRE(r.size() == 2);
  MESSAGE("p(fluent) = " << r[0].probability << ", logprobs " << r[0].logprob << " / " << r[1].logprob);
  CHECK(r[0].text == choices[0]);
  CHECK(r[0].probability > 0.9);
  CHECK(r[0].probability + r[1].probability == doctest::Approx(1.0).epsilon(1e-9));
  // The probabilities are the softmax of the summed log-probabilities.
  CHECK(r[0].probability == doctest::Approx(1 / (1 + std::exp(r[1].logprob - r[0].logprob))).epsilon(1e-9));

  nib::ChooseOptions mean;
  mean.normalization = nib::LengthNormalization::Mean;
  const auto m = session.choose(kStory, choices, mean);
  CHECK(m[0].probability > 0.9);
  CHECK(m[0].mean_logprob == doctest::Approx(m[0].logprob / double(m[0].tokens)));
  CHECK(m[0].probability ==
        doctest::Approx(1 / (1 + std::exp(m[1].mean_logprob - m[0].mean_logprob))).epsilon(1e-9));
}

TEST_CASE("classify_in_context builds the few-shot prompt and chooses among the labels") {
  nib::Session session(model("stories260K"));
  const std::vector<nib::LabelledExample> examples{{"Lily got a big hug from mom", "happy"},
                                                   {"Tom lost his red ball and cried", "very sad"},
                                                   {"The sun was warm and the birds sang", "happy"}};
  const auto r = session.classify_in_context(examples, "Ben found a new toy");
  const std::string want_prompt =
      "Lily got a big hug from mom | happy |\n"
      "Tom lost his red ball and cried | very sad |\n"
      "The sun was warm and the birds sang | happy |\n"
      "Ben found a new toy | ";
  CHECK(r.prompt == want_prompt);
  CHECK(r.labels == std::vector<std::string>{"happy", "very sad"});
  const std::vector<std::string> continuations{"happy |", "very sad |"};
  const auto want = session.choose(want_prompt, continuations);
  REQUIRE(r.choices.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(r.choices[i].text == continuations[i]);
    CHECK(std::abs(r.choices[i].probability - want[i].probability) <= 1e-6);
    CHECK(std::abs(r.choices[i].logprob - want[i].logprob) <= 1e-4);
  }
  CHECK(r.choices[1].tokens > r.choices[0].tokens);  // "very sad" spans more tokens
  CHECK(r.label == (want[0].probability > want[1].probability ? "happy" : "very sad"));

  nib::InContextOptions custom;
  custom.instruction = "Mood of each story:\n";
  custom.separator = "=>";
  custom.line_format = "Story: {text} {sep} {label}\n";
  const auto c = session.classify_in_context(examples, "Ben found a new toy", custom);
  CHECK(c.prompt ==
        "Mood of each story:\nStory: Lily got a big hug from mom => happy\n"
        "Story: Tom lost his red ball and cried => very sad\nStory: The sun was warm and the birds sang => "
        "happy\n"
        "Story: Ben found a new toy => ");
  CHECK(c.choices[0].text == "happy");
  const auto cw = session.choose(c.prompt, std::vector<std::string>{"happy", "very sad"});
  CHECK(std::abs(c.choices[0].probability - cw[0].probability) <= 1e-6);
}

TEST_CASE("score, choose and classify_in_context reject bad input with nib::Error") {
  nib::Session session(model("stories260K"));
  const std::vector<std::string> none;
  CHECK(status_of([&] { session.score(kStory, none); }) == nib::Status::InvalidArgument);
  CHECK(status_of([&] { session.choose(kStory, none); }) == nib::Status::InvalidArgument);
  CHECK(status_of([&] {
          session.score(kStory, std::vector<std::string>{" a", ""});
        }) == nib::Status::InvalidArgument);
  nib::SessionOptions small;
  small.n_ctx = 16;
  nib::Session tight(model("stories260K"), small);
  CHECK(status_of([&] { tight.score("Once", std::vector<std::string>{std::string(200, 'a')}); }) ==
        nib::Status::ContextFull);
  CHECK(tight.score("Once", std::vector<std::string>{" upon"}).size() == 1);  // still usable
  // GPT-2 adds no BOS: an empty prompt leaves nothing to predict the first token from.
  nib::Session gpt2(model("tiny-gpt2"));
  CHECK(status_of([&] { gpt2.score("", std::vector<std::string>{"Hello"}); }) ==
        nib::Status::InvalidArgument);
  nib::Session encoder(model("tiny-bert"));
  CHECK(status_of([&] { encoder.score("a", std::vector<std::string>{" b"}); }) ==
        nib::Status::InvalidArgument);

  const std::vector<nib::LabelledExample> examples{{"a", "x"}};
  CHECK(status_of([&] { session.classify_in_context({}, "b"); }) == nib::Status::InvalidArgument);
  CHECK(status_of([&] {
          session.classify_in_context(std::vector<nib::LabelledExample>{{"a", ""}}, "b");
        }) == nib::Status::InvalidArgument);
  nib::InContextOptions bad;
  bad.line_format = "{label}: {text}\n";
  CHECK(status_of([&] { session.classify_in_context(examples, "b", bad); }) == nib::Status::InvalidArgument);
  bad.line_format = "{text} only\n";
  CHECK(status_of([&] { session.classify_in_context(examples, "b", bad); }) == nib::Status::InvalidArgument);
}

}  // namespace
