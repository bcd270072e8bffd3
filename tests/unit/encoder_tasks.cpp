// Encoder task logic: scores per problem type, pooling, truncation, token aggregation, special-only
// inputs, batch == one at a time, and tag_tokens on a token-classification folder.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <cmath>

#include "file_builders.hpp"
#include "io/json.hpp"
#include "runtime/encoder_tasks.hpp"
#include "runtime/token_aggregation.hpp"
#include "shared_data.hpp"

namespace nib::test {
namespace {

using detail::ScoreFunction;

TEST_CASE("score function follows problem_type") {
  io::ModelConfig c;
  c.labels = {"a", "b"};
  CHECK(detail::score_function(c) == ScoreFunction::Softmax);
  c.problem_type = "multi_label_classification";
  CHECK(detail::score_function(c) == ScoreFunction::Sigmoid);
  c.problem_type = "regression";
  CHECK(detail::score_function(c) == ScoreFunction::None);
  c.problem_type.clear();
  c.labels = {"score"};
  CHECK(detail::score_function(c) == ScoreFunction::None);

  const std::vector<float> logits{2.f, -1.f};
  const auto multi = detail::make_classification(logits, {"a", "b"}, ScoreFunction::Sigmoid);
  CHECK(multi.scores[0] == doctest::Approx(1.0 / (1.0 + std::exp(-2.0))));
  CHECK(multi.scores[1] == doctest::Approx(1.0 / (1.0 + std::exp(1.0))));
  CHECK(multi.label == "a");
  const auto reg = detail::make_classification(std::vector<float>{3.5f}, {"score"}, ScoreFunction::None);
  CHECK(reg.scores[0] == 3.5f);
  const auto soft = detail::make_classification(logits, {"a", "b"}, ScoreFunction::Softmax);
  CHECK(soft.scores[0] + soft.scores[1] == doctest::Approx(1.0));
}

TEST_CASE("pooling: mean over the mask, CLS, L2 normalisation") {
  const std::vector<float> h{1, 2, 3, 4, 100, 100};  // 3 tokens x 2, the last is padding
  const std::vector<std::uint8_t> mask{1, 1, 0};
  auto mean = detail::pool(h.data(), mask.data(), 3, 2, Pooling::Mean, false);
  CHECK(mean == std::vector<float>{2, 3});
  CHECK(detail::pool(h.data(), mask.data(), 3, 2, Pooling::Cls, false) == std::vector<float>{1, 2});
  auto unit = detail::pool(h.data(), mask.data(), 3, 2, Pooling::Mean, true);
  CHECK(unit[0] == doctest::Approx(2 / std::sqrt(13.0)));
  CHECK(unit[1] == doctest::Approx(3 / std::sqrt(13.0)));
  const std::vector<std::uint8_t> none{0, 0, 0};
  CHECK(detail::pool(h.data(), none.data(), 3, 2, Pooling::Mean, true) == std::vector<float>{0, 0});
}

TEST_CASE("truncation keeps the closing special token or fails") {
  detail::EncoderInput in{{101, 1, 2, 3, 4, 102}, {0, 0, 0, 0, 0, 0}};
  auto cut = in;
  detail::fit_length(cut, 4, Truncation::Truncate, true);
  CHECK(cut.ids == std::vector<TokenId>{101, 1, 2, 102});
  CHECK(cut.type_ids.size() == 4);
  CHECK_THROWS_AS(detail::fit_length(in, 4, Truncation::Error, true), Error);
  detail::fit_length(in, 6, Truncation::Error, true);  // fits: unchanged
  CHECK(in.ids.size() == 6);
}

TEST_CASE("token aggregation: none, first, average, max, B-/I- grouping, O dropped") {
  const std::vector<std::string> labels{"O", "B-PER", "I-PER"};
  // [CLS] jo ##hn smith went [SEP]
  const std::vector<float> probs{1,    0,     0,      // [CLS]
                                 0.1f, 0.8f,  0.1f,   // jo     B-PER
                                 0.2f, 0.1f,  0.7f,   // ##hn   I-PER
                                 0.1f, 0.2f,  0.7f,   // smith  I-PER
                                 0.9f, 0.05f, 0.05f,  // went O
                                 1,    0,     0};     // [SEP]
  detail::TokenScores s;
  s.labels = &labels;
  s.probs = probs.data();
  s.tokens = {"[CLS]", "jo", "##hn", "smith", "went", "[SEP]"};
  s.special = {true, false, false, false, false, true};
  s.subword = detail::subword_flags(s.tokens, s.special);
  CHECK(s.subword == std::vector<bool>{false, false, true, false, false, false});
  auto decode = [&](std::int64_t b, std::int64_t e) { return std::to_string(b) + ":" + std::to_string(e); };

  const auto none = detail::aggregate_tokens(s, Aggregation::None, decode);
  REQUIRE(none.size() == 3);  // "went" is O
  CHECK(none[0].label == "B-PER");
  CHECK(none[1].text == "##hn");

  const auto first = detail::aggregate_tokens(s, Aggregation::First, decode);
  REQUIRE(first.size() == 1);
  CHECK(first[0].label == "PER");
  CHECK(first[0].text == "1:4");
  CHECK(first[0].start == 1);
  CHECK(first[0].end == 4);
  CHECK(first[0].score == doctest::Approx((0.8 + 0.7) / 2));

  const auto avg = detail::aggregate_tokens(s, Aggregation::Average, decode);
  REQUIRE(avg.size() == 1);
  // "john" averages to O 0.15, B 0.45, I 0.4 → B-PER 0.45; smith I-PER 0.7 joins the group.
  CHECK(avg[0].score == doctest::Approx((0.45 + 0.7) / 2));

  const auto max = detail::aggregate_tokens(s, Aggregation::Max, decode);
  REQUIRE(max.size() == 1);
  CHECK(max[0].score == doctest::Approx((0.8 + 0.7) / 2));

  // Byte-level BPE marks word starts instead.
  const std::vector<std::string> bpe{"<s>", "Hel", "lo", "\xC4\xA0world", "</s>"};
  CHECK(detail::subword_flags(bpe, {true, false, false, false, true}) ==
        std::vector<bool>{false, false, true, false, false});
}

TEST_CASE("session: empty text, special tokens only, truncation, batch == one at a time") {
  auto model = Model::load(shared_path("models/tiny-bert"));
  Session session(model);
  const auto empty = session.classify("");
  CHECK(empty.scores.size() == 3);
  CHECK(std::isfinite(empty.scores[0]));
  CHECK(session.classify("[CLS] [SEP]").labels.size() == 3);

  std::string long_text;
  for (int i = 0; i < 600; ++i) long_text += "word ";
  CHECK_THROWS_AS(session.classify(long_text, {Truncation::Error}), Error);
  const auto truncated = session.classify(long_text);
  CHECK(truncated.scores.size() == 3);

  const std::vector<std::string> texts{"short", "a somewhat longer text with more words in it", "",
                                       long_text};
  const auto batch = session.classify(texts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto one = session.classify(texts[i]);
    for (std::size_t j = 0; j < one.logits.size(); ++j)
      CHECK(batch[i].logits[j] == doctest::Approx(one.logits[j]).epsilon(1e-5));
  }
  const auto embs = session.embed(texts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto one = session.embed(texts[i]);
    for (std::size_t j = 0; j < one.size(); ++j) CHECK(embs[i][j] == doctest::Approx(one[j]).epsilon(1e-5));
  }
  CHECK_THROWS_AS(session.tag_tokens("no token head"), Error);
}

TEST_CASE("tag_tokens and sentence-transformers pooling on derived folders") {
  const auto dir = scratch_dir("encoder_token_classification");
  copy_model_folder(shared_path("models/tiny-bert"), dir);
  // tiny-bert's classifier [3, 64] also fits a token-classification head.
  auto config = io::read_json_file(dir / "config.json");
  config["architectures"] = {"BertForTokenClassification"};
  config["id2label"] = {{"0", "O"}, {"1", "B-PER"}, {"2", "I-PER"}};
  write_file(dir / "config.json", config.dump());
  auto model = Model::load(dir);
  Session session(model);
  const auto tags = session.tag_tokens("John Smith lives in Paris");
  for (const auto& t : tags) {
    CHECK(t.label != "O");
    CHECK(t.end == t.start + 1);
  }
  for (auto a : {Aggregation::First, Aggregation::Average, Aggregation::Max}) {
    for (const auto& t : session.tag_tokens("John Smith lives in Paris", a)) {
      CHECK((t.label == "PER"));
      CHECK(t.score > 0.f);
      CHECK(t.score <= 1.f);
    }
  }

  // A sentence-transformers layout: CLS pooling + Normalize from modules.json.
  write_file(dir / "modules.json",
             R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},)"
             R"({"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},)"
             R"({"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}])");
  std::filesystem::create_directories(dir / "1_Pooling");
  write_file(
      dir / "1_Pooling" / "config.json",
      R"({"word_embedding_dimension":64,"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":false})");
  Session st(Model::load(dir));
  const auto auto_emb = st.embed("a man is playing a guitar.");
  const auto cls = st.embed("a man is playing a guitar.", {Pooling::Cls, true});
  REQUIRE(auto_emb.size() == cls.size());
  for (std::size_t i = 0; i < cls.size(); ++i) CHECK(auto_emb[i] == doctest::Approx(cls[i]));
}

}  // namespace
}  // namespace nib::test
