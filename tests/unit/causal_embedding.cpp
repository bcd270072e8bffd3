// Embeddings of causal LMs: the pooled final hidden states, checked through the LM head (logits
// are golden-tested elsewhere): W·last-token embedding equals the last position's logits, and
// since the head is linear, W·mean embedding equals the mean of every position's logits.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <cmath>
#include <numeric>

#include "io/safetensors.hpp"
#include "shared_data.hpp"

namespace nib::test {
namespace {

TEST_CASE("causal LM embeddings are the final hidden states the LM head reads") {
  for (const auto& [name, head_tensor] :
       {std::pair{"tiny-llama", "lm_head.weight"}, std::pair{"tiny-gpt2", "transformer.wte.weight"}}) {
    CAPTURE(name);
    const auto dir = shared_path(std::string("models/") + name);
    const io::SafetensorsFile file(dir / "model.safetensors");
    const auto w = io::to_f32(*file.find(head_tensor));
    const auto model = Model::load(dir);
    const auto vocab = model.info().vocab_size, h = model.info().hidden_size;
    Session s(model);
    const std::string text = "Once upon a time there was a cat";
    const auto last = s.embed(text, {Pooling::LastToken, false});
    const auto mean = s.embed(text, {Pooling::Mean, false});
    CHECK(s.embed(text, {Pooling::Auto, false}) == mean);
    REQUIRE(std::ssize(last) == h);
    const auto ids = model.tokenizer().encode(text).ids;
    std::vector<std::int64_t> positions(ids.size());
    std::iota(positions.begin(), positions.end(), 0);
    const auto logits = s.logits(ids, positions);
    double worst_last = 0, worst_mean = 0;
    for (std::int64_t v = 0; v < vocab; ++v) {
      double zl = 0, zm = 0, avg = 0;
      for (std::int64_t d = 0; d < h; ++d) {
        zl += static_cast<double>(w[static_cast<std::size_t>(v * h + d)]) * last[static_cast<std::size_t>(d)];
        zm += static_cast<double>(w[static_cast<std::size_t>(v * h + d)]) * mean[static_cast<std::size_t>(d)];
      }
      for (const auto& row : logits) avg += row[static_cast<std::size_t>(v)];
      avg /= static_cast<double>(logits.size());
      worst_last = std::max(worst_last, std::abs(zl - logits.back()[static_cast<std::size_t>(v)]));
      worst_mean = std::max(worst_mean, std::abs(zm - avg));
    }
    CHECK(worst_last < 1e-4);
    CHECK(worst_mean < 1e-4);
    const auto normalized = s.embed(text, {Pooling::LastToken, true});
    double norm = 0;
    for (float x : normalized) norm += static_cast<double>(x) * x;
    CHECK(norm == doctest::Approx(1.0).epsilon(1e-5));
    CHECK_THROWS_WITH_AS(s.embed(text, {Pooling::Cls, false}), doctest::Contains("mean or last token"),
                         Error);
    // The batch call equals one call per text.
    const std::vector<std::string> texts = {"a", text, "the dog"};
    const auto batch = s.embed(texts, {Pooling::Mean, false});
    CHECK(batch[1] == mean);
  }
}

TEST_CASE("last-token pooling of an encoder takes the last real token of each padded row") {
  const auto model = Model::load(shared_path("models/tiny-bert"));
  Session s(model);
  const std::vector<std::string> texts = {"short", "a much longer text than the first one"};
  const auto batch = s.embed(texts, {Pooling::LastToken, false});
  const auto one = s.embed(texts[0], {Pooling::LastToken, false});
  const auto cls = s.embed(texts[0], {Pooling::Cls, false});
  double diff_one = 0, diff_cls = 0;
  for (std::size_t d = 0; d < one.size(); ++d) {
    diff_one = std::max(diff_one, static_cast<double>(std::abs(batch[0][d] - one[d])));
    diff_cls = std::max(diff_cls, static_cast<double>(std::abs(batch[0][d] - cls[d])));
  }
  CHECK(diff_one < 1e-5);  // the padded row's last real token ([SEP]), not a padding position
  CHECK(diff_cls > 1e-2);
}

}  // namespace
}  // namespace nib::test
