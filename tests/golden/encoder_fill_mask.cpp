// Fill-mask against transformers' goldens (tiny-bert-mlm): top-5 ids exact, probabilities over the
// full vocabulary and logits within tolerance; from ids and from text.
#include "encoder_golden_support.hpp"

#include "runtime/session_impl.hpp"

namespace nib::test {
namespace {

void check_fills(const std::vector<MaskFill>& got, const io::Json& c, const std::string& what) {
  REQUIRE(got.size() == 5);
  std::vector<float> probs, logits;
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK_MESSAGE(got[i].id == c["top5_ids"][i].get<TokenId>(), what << " rank " << i);
    probs.push_back(got[i].score);
    logits.push_back(got[i].logit);
  }
  check_close(probs, c["top5_probs"], what + " probs");
  check_close(logits, c["top5_logits"], what + " logits");
}

TEST_CASE("tiny-bert-mlm fill-mask matches transformers") {
  const auto g = golden("models/tiny-bert-mlm/golden/fill_mask.json");
  auto model = Model::load(shared_path("models/tiny-bert-mlm"));
  Session session(model);
  for (const auto& c : g["cases"]) {
    const auto text = c["text"].get<std::string>();
    const auto input = input_of(c["input_ids"], nullptr, nullptr);
    check_fills(detail::fill_mask_input(session.impl(), input, c["mask_position"].get<std::int64_t>(), 5), c,
                "ids \"" + text + "\"");
    const auto fills = session.fill_mask(text, 5);
    check_fills(fills, c, "text \"" + text + "\"");
    for (std::size_t i = 0; i < fills.size(); ++i)
      CHECK(fills[i].token == c["top5_tokens"][i].get<std::string>());
  }
}

TEST_CASE("fill-mask text: the filled sequence, k, and exactly one mask") {
  auto model = Model::load(shared_path("models/tiny-bert-mlm"));
  Session session(model);
  const auto fills = session.fill_mask("the capital of france is [MASK].", 3);
  REQUIRE(fills.size() == 3);
  CHECK(fills[0].sequence ==
        "the capital of france is " + model.tokenizer().decode(std::vector<TokenId>{fills[0].id}) + ".");
  CHECK(fills[0].score >= fills[1].score);
  CHECK_THROWS_AS(session.fill_mask("no mask here"), Error);
  CHECK_THROWS_AS(session.fill_mask("[MASK] and [MASK]"), Error);
  CHECK_THROWS_AS(session.fill_mask("[MASK]", 0), Error);
}

TEST_CASE("fill-mask on a classifier is an InvalidArgument naming the missing head") {
  auto model = Model::load(shared_path("models/tiny-bert"));
  Session session(model);
  try {
    session.fill_mask("a [MASK] b");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.status() == Status::InvalidArgument);
    CHECK(std::string(e.what()).find("masked-LM") != std::string::npos);
  }
}

}  // namespace
}  // namespace nib::test
