// DistilBERT weights (transformers' modeling_distilbert names): BERT's post-LN layers under
// q_lin/k_lin/v_lin/out_lin, no token types, arange positions, its own heads.
#include "models/encoder.hpp"

namespace nib::models {

EncoderWeights bind_distilbert(const io::ModelConfig& c, WeightBinder& wb, ModuleRegistry& modules) {
  const std::int64_t h = c.hidden_size;
  const std::string p = wb.has("distilbert.embeddings.word_embeddings.weight") ? "distilbert." : "";
  EncoderWeights w;
  w.activation = c.activation;
  w.word = f32_embedding(wb.get(p + "embeddings.word_embeddings.weight", {c.vocab_size, h}), c.vocab_size, h);
  w.position = f32_embedding(wb.get(p + "embeddings.position_embeddings.weight", {c.max_positions, h}),
                             c.max_positions, h);
  w.embed_norm = bind_layer_norm(wb, p + "embeddings.LayerNorm", h, c.norm_eps);
  w.layers = bind_encoder_layers(
      c, wb, modules, p,
      {"transformer.layer.", "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
       "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"});

  const auto labels = static_cast<std::int64_t>(c.labels.size());
  switch (c.head) {
    case HeadKind::SequenceClassification: {
      SequenceHead s;
      s.dense = bind_linear(wb, modules, "pre_classifier", h, h, -1);
      s.activation = PoolActivation::Relu;
      s.out = bind_linear(wb, modules, "classifier", h, labels, -1);
      w.heads.sequence = s;
      break;
    }
    case HeadKind::MaskedLM: {
      MlmHead m;
      m.dense = bind_linear(wb, modules, "vocab_transform", h, h, -1);
      m.activation = c.activation;
      m.norm = bind_layer_norm(wb, "vocab_layer_norm", h, c.norm_eps);
      m.decoder = bind_tied_decoder(wb, modules, "vocab_projector", "vocab_projector.bias", w.word);
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
