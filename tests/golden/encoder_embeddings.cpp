// Sentence embeddings against transformers' goldens (tiny-bert's encoder): mean pooling, its L2
// normalisation and the [CLS] hidden state; one at a time, batched, and from text.
#include "encoder_golden_support.hpp"

#include "runtime/session_impl.hpp"

namespace nib::test {
namespace {

TEST_CASE("tiny-bert embeddings match transformers") {
  const auto g = golden("models/tiny-bert/golden/embeddings.json");
  auto model = Model::load(shared_path("models/tiny-bert"));
  Session session(model);
  auto& s = session.impl();
  std::vector<detail::EncoderInput> inputs;
  std::vector<std::string> texts;
  for (const auto& c : g["cases"]) {
    inputs.push_back(input_of(c["input_ids"], nullptr, nullptr));
    texts.push_back(c["text"].get<std::string>());
  }
  const auto mean = detail::embed_inputs(s, inputs, Pooling::Mean, false);
  const auto unit = detail::embed_inputs(s, inputs, Pooling::Mean, true);
  const auto cls = detail::embed_inputs(s, inputs, Pooling::Cls, false);
  const auto from_text = session.embed(texts, {Pooling::Mean, true});
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& c = g["cases"][i];
    check_close(mean[i], c["mean_pooled"], texts[i] + " mean");
    check_close(unit[i], c["l2_normalized"], texts[i] + " l2");
    check_close(cls[i], c["cls_hidden"], texts[i] + " cls");
    check_close(from_text[i], c["l2_normalized"], texts[i] + " text l2");
    check_close(session.embed(texts[i], {Pooling::Cls, false}), c["cls_hidden"], texts[i] + " text cls");
    // One at a time equals batched.
    check_close(detail::embed_inputs(s, std::span(&inputs[i], 1), Pooling::Mean, false)[0], c["mean_pooled"],
                texts[i] + " single mean");
  }
}

}  // namespace
}  // namespace nib::test
