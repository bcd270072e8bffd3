// Sequence classification against transformers' goldens (tiny-bert, tiny-distilbert,
// tiny-roberta): single inputs, and the padded batch both as given and as batched by the session.
#include "encoder_golden_support.hpp"

#include "models/encoder.hpp"
#include "runtime/session_impl.hpp"

namespace nib::test {
namespace {

void check_classification(const Classification& got, const io::Json& logits, const io::Json& probs,
                          const std::string& what) {
  check_close(got.logits, logits, what + " logits");
  check_close(got.scores, probs, what + " probs");
}

void check_model(const std::string& name) {
  const auto g = golden("models/" + name + "/golden/classification.json");
  auto model = Model::load(shared_path("models/" + name));
  Session session(model);
  auto& s = session.impl();

  std::vector<detail::EncoderInput> singles;
  for (const auto& c : g["single"]) {
    singles.push_back(input_of(c["input_ids"], &c["attention_mask"],
                               c.contains("token_type_ids") ? &c["token_type_ids"] : nullptr));
    const auto got = detail::classify_inputs(s, std::span(&singles.back(), 1)).at(0);
    check_classification(got, c["logits"], c["probs"], name + " \"" + c["text"].get<std::string>() + "\"");
    CHECK(got.label == c["label"].get<std::string>());
  }

  // All texts in one call: batched with padding, results in input order.
  const auto all = detail::classify_inputs(s, singles);
  for (std::size_t i = 0; i < all.size(); ++i) {
    check_classification(all[i], g["single"][i]["logits"], g["single"][i]["probs"],
                         name + " batched " + std::to_string(i));
  }

  // From text: the session's tokenizer, one call per text and one batch call.
  std::vector<std::string> texts;
  for (const auto& c : g["single"]) texts.push_back(c["text"].get<std::string>());
  const auto batched = session.classify(texts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto& c = g["single"][i];
    check_classification(session.classify(texts[i]), c["logits"], c["probs"], name + " text " + texts[i]);
    check_classification(batched[i], c["logits"], c["probs"], name + " text batch " + texts[i]);
    CHECK(batched[i].label == c["label"].get<std::string>());
  }

  // The golden's own right-padded batch through the model directly.
  const auto& b = g["batch"];
  models::EncoderBatch batch;
  batch.batch = static_cast<std::int64_t>(b["input_ids"].size());
  batch.seq_len = static_cast<std::int64_t>(b["input_ids"][0].size());
  for (std::size_t r = 0; r < b["input_ids"].size(); ++r) {
    for (std::size_t t = 0; t < b["input_ids"][r].size(); ++t) {
      batch.ids.push_back(b["input_ids"][r][t].get<std::int32_t>());
      batch.mask.push_back(b["attention_mask"][r][t].get<std::uint8_t>());
      if (b.contains("token_type_ids"))
        batch.type_ids.push_back(b["token_type_ids"][r][t].get<std::int32_t>());
    }
  }
  const auto& enc = model.impl().encoder();
  models::EncoderWorkspace ws;
  std::vector<float> hidden;
  enc.encode(batch, hidden, ws, nullptr);
  const auto n_labels = static_cast<std::int64_t>(enc.config().labels.size());
  std::vector<float> logits(static_cast<std::size_t>(batch.batch * n_labels));
  enc.classify(batch, hidden.data(), logits.data(), ws, nullptr);
  for (std::int64_t r = 0; r < batch.batch; ++r) {
    const std::vector<float> row(logits.begin() + r * n_labels, logits.begin() + (r + 1) * n_labels);
    const auto c = detail::make_classification(row, enc.config().labels, detail::ScoreFunction::Softmax);
    check_classification(c, b["logits"][static_cast<std::size_t>(r)], b["probs"][static_cast<std::size_t>(r)],
                         name + " padded batch row " + std::to_string(r));
  }
}

TEST_CASE("tiny-bert classification matches transformers") {
  check_model("tiny-bert");
}
TEST_CASE("tiny-distilbert classification matches transformers") {
  check_model("tiny-distilbert");
}
TEST_CASE("tiny-roberta classification matches transformers") {
  check_model("tiny-roberta");
}

}  // namespace
}  // namespace nib::test
