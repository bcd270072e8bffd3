// BERT and RoBERTa / XLM-RoBERTa weights (transformers' modeling_bert / modeling_roberta names).
// RoBERTa is BERT with padding-offset position ids, a single token type and its own heads.
#include <nib/error.hpp>

#include "models/encoder.hpp"

namespace nib::models {

namespace {

bool is_roberta(const io::ModelConfig& c) {
  return c.model_type == "roberta" || c.model_type == "xlm-roberta";
}

// Task models prefix the encoder with "bert." / "roberta."; a bare *Model saved on its own
// (sentence-transformers folders) has no prefix.
std::string encoder_prefix(const io::ModelConfig& c, const WeightBinder& weights) {
  const std::string prefix = is_roberta(c) ? "roberta." : "bert.";
  return weights.has(prefix + "embeddings.word_embeddings.weight") ? prefix : "";
}

}  // namespace

EncoderWeights bind_bert(const io::ModelConfig& c, WeightBinder& wb, ModuleRegistry& modules) {
  const std::int64_t h = c.hidden_size;
  const bool roberta = is_roberta(c);
  const std::string p = encoder_prefix(c, wb);
  EncoderWeights w;
  w.activation = c.activation;
  w.word = f32_embedding(wb.get(p + "embeddings.word_embeddings.weight", {c.vocab_size, h}), c.vocab_size, h);
  w.position = f32_embedding(wb.get(p + "embeddings.position_embeddings.weight", {c.max_positions, h}),
                             c.max_positions, h);
  if (c.type_vocab_size > 0) {
    w.token_type = f32_embedding(
        wb.get(p + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}), c.type_vocab_size, h);
  }
  w.embed_norm = bind_layer_norm(wb, p + "embeddings.LayerNorm", h, c.norm_eps);
  if (roberta) {
    w.padding_offset_positions = true;
    w.padding_idx = static_cast<std::int32_t>(c.pad_token_id.value_or(1));
    if (w.padding_idx < 0 || w.padding_idx + 1 >= c.max_positions) {
      throw Error(Status::Format, c.architecture + ": pad_token_id " + std::to_string(w.padding_idx) +
                                      " leaves no room in " + std::to_string(c.max_positions) + " positions");
    }
  }
  w.layers =
      bind_encoder_layers(c, wb, modules, p,
                          {"encoder.layer.", "attention.self.query", "attention.self.key",
                           "attention.self.value", "attention.output.dense", "attention.output.LayerNorm",
                           "intermediate.dense", "output.dense", "output.LayerNorm"});

  const auto labels = static_cast<std::int64_t>(c.labels.size());
  switch (c.head) {
    case HeadKind::SequenceClassification: {
      SequenceHead s;
      s.activation = PoolActivation::Tanh;
      if (roberta) {
        s.dense = bind_linear(wb, modules, "classifier.dense", h, h, -1);
        s.out = bind_linear(wb, modules, "classifier.out_proj", h, labels, -1);
      } else {
        s.dense = bind_linear(wb, modules, p + "pooler.dense", h, h, -1);
        s.out = bind_linear(wb, modules, "classifier", h, labels, -1);
      }
      w.heads.sequence = s;
      break;
    }
    case HeadKind::MaskedLM: {
      MlmHead m;
      if (roberta) {
        m.dense = bind_linear(wb, modules, "lm_head.dense", h, h, -1);
        m.activation = io::Activation::GeluErf;  // RobertaLMHead hard-codes gelu
        m.norm = bind_layer_norm(wb, "lm_head.layer_norm", h, c.norm_eps);
        m.decoder = bind_tied_decoder(wb, modules, "lm_head.decoder", "lm_head.bias", w.word);
      } else {
        m.dense = bind_linear(wb, modules, "cls.predictions.transform.dense", h, h, -1);
        m.activation = c.activation;
        m.norm = bind_layer_norm(wb, "cls.predictions.transform.LayerNorm", h, c.norm_eps);
        m.decoder = bind_tied_decoder(wb, modules, "cls.predictions.decoder", "cls.predictions.bias", w.word);
      }
      w.heads.mlm = m;
      break;
    }
    case HeadKind::TokenClassification:
      w.heads.token = TokenHead{bind_linear(wb, modules, "classifier", h, labels, -1)};
      break;
    default: break;
  }
  return w;
}

}  // namespace nib::models
