// DistilBERT weights (transformers' modeling_distilbert names): BERT's post-LN layers under
// q_lin/k_lin/v_lin/out_lin, no token types, arange positions, its own heads.
#include "models/encoder.hpp"

namespace nib::models {

EncoderWeights bind_distilbert(const io::ModelConfig& c, WeightBinder& wb, ModuleRegistry& modules) {
  const std::int64_t h = c.hidden_size, inter = c.intermediate_size;
  const std::string p = wb.has("distilbert.embeddings.word_embeddings.weight") ? "distilbert." : "";
  EncoderWeights w;
  w.activation = c.activation;
  w.word = f32_embedding(wb.get(p + "embeddings.word_embeddings.weight", {c.vocab_size, h}), c.vocab_size, h);
  w.position = f32_embedding(wb.get(p + "embeddings.position_embeddings.weight", {c.max_positions, h}),
                             c.max_positions, h);
  w.embed_norm = bind_layer_norm(wb, p + "embeddings.LayerNorm", h, c.norm_eps);
  for (int i = 0; i < c.num_layers; ++i) {
    const std::string l = p + "transformer.layer." + std::to_string(i) + ".";
    EncoderLayer layer;
    layer.q = bind_linear(wb, modules, l + "attention.q_lin", h, h, i);
    layer.k = bind_linear(wb, modules, l + "attention.k_lin", h, h, i);
    layer.v = bind_linear(wb, modules, l + "attention.v_lin", h, h, i);
    layer.attn_out = bind_linear(wb, modules, l + "attention.out_lin", h, h, i);
    layer.attn_norm = bind_layer_norm(wb, l + "sa_layer_norm", h, c.norm_eps);
    layer.ffn_in = bind_linear(wb, modules, l + "ffn.lin1", h, inter, i);
    layer.ffn_out = bind_linear(wb, modules, l + "ffn.lin2", inter, h, i);
    layer.out_norm = bind_layer_norm(wb, l + "output_layer_norm", h, c.norm_eps);
    w.layers.push_back(layer);
  }

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
