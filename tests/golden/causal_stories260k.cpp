// stories260K (a real trained Llama): logits within 1e-4 of the float64 reference and greedy
// continuations equal to llama2.c's, token for token.
#include <doctest/doctest.h>

#include <nib/model.hpp>
#include <nib/session.hpp>

#include "golden_ids.hpp"
#include "io/json.hpp"
#include "logits_check.hpp"
#include "shared_data.hpp"
#include "stories.hpp"

namespace {

using nib::test::stories;

using nib::TokenId;

using nib::test::ids_of;

}  // namespace

TEST_CASE("stories260K logits match the reference at the golden positions") {
  auto g = nib::io::read_json_file(nib::test::shared_path("models/stories260K/golden/logits.json"));
  auto seq = ids_of(g["sequence_ids"]);
  std::vector<std::int64_t> positions = g["first_positions"].get<std::vector<std::int64_t>>();
  positions.push_back(g["prompt_last_position"].get<std::int64_t>());
  positions.push_back(g["sequence_last_position"].get<std::int64_t>());
  nib::Session s(stories());
  auto logits = s.logits(seq, positions);
  REQUIRE(logits.size() == positions.size());
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(i);
    nib::test::check_close(logits[i], nib::test::floats(g["first_positions_logits"][i]));
  }
  nib::test::check_close(logits[8], nib::test::floats(g["prompt_last_position_logits"]));
  nib::test::check_close(logits[9], nib::test::floats(g["sequence_last_position_logits"]));
}

TEST_CASE("stories260K greedy continuations equal the goldens") {
  auto g = nib::io::read_json_file(nib::test::shared_path("models/stories260K/golden/greedy.json"));
  nib::Session s(stories());
  for (const auto& c : g["prompts"]) {
    CAPTURE(c["prompt"].get<std::string>());
    nib::GenerateOptions o;
    o.max_new_tokens = static_cast<int>(c["generated_ids"].size());
    o.stop_at_eos = false;
    auto out = s.generate_ids(ids_of(c["input_ids"]), o);
    CHECK(out.ids == ids_of(c["generated_ids"]));
    CHECK(out.stop_reason == nib::StopReason::MaxTokens);
  }
}

TEST_CASE("stories260K greedy text from the prompt text") {
  if (!stories().has_tokenizer()) return;
  auto g = nib::io::read_json_file(nib::test::shared_path("models/stories260K/golden/greedy.json"));
  nib::Session s(stories());
  for (const auto& c : g["prompts"]) {
    CAPTURE(c["prompt"].get<std::string>());
    nib::GenerateOptions o;
    o.max_new_tokens = static_cast<int>(c["generated_ids"].size());
    o.stop_at_eos = false;
    std::string streamed;
    auto out = s.generate(c["prompt"].get<std::string>(), o, [&](std::string_view piece) {
      streamed += piece;
      return true;
    });
    CHECK(out.prompt_ids == ids_of(c["input_ids"]));
    CHECK(out.ids == ids_of(c["generated_ids"]));
    CHECK(out.text == c["generated_text"].get<std::string>());
    CHECK(streamed == out.text);
  }
}
