#include "io/model_config.hpp"

#include <nib/error.hpp>

namespace nib::io {

namespace {

// Caps on dimensions, far above any real model (the largest have hidden 16384, 126 layers, 128
// heads, 256K vocabularies) yet small enough that products of a few of them stay in 64 bits.
constexpr std::int64_t kMaxHidden = 1 << 16;        // hidden_size, head_dim
constexpr std::int64_t kMaxCount = 1 << 12;         // layers, heads
constexpr std::int64_t kMaxIntermediate = 1 << 20;  // feed-forward width
constexpr std::int64_t kMaxVocab = 1 << 24;
constexpr std::int64_t kMaxPositions = 1 << 24;

struct ArchEntry {
  const char* architecture;
  const char* model_type;
  Family family;
  ModelKind kind;
  HeadKind head;
};

// The architectures nib runs, by config.json "architectures"[0].
constexpr ArchEntry kArchitectures[] = {
    {"LlamaForCausalLM", "llama", Family::Llama, ModelKind::CausalLM, HeadKind::LanguageModel},
    {"MistralForCausalLM", "mistral", Family::Llama, ModelKind::CausalLM, HeadKind::LanguageModel},
    {"Qwen2ForCausalLM", "qwen2", Family::Llama, ModelKind::CausalLM, HeadKind::LanguageModel},
    {"GPT2LMHeadModel", "gpt2", Family::Gpt2, ModelKind::CausalLM, HeadKind::LanguageModel},
    {"BertModel", "bert", Family::Bert, ModelKind::Encoder, HeadKind::None},
    {"BertForSequenceClassification", "bert", Family::Bert, ModelKind::Encoder,
     HeadKind::SequenceClassification},
    {"BertForMaskedLM", "bert", Family::Bert, ModelKind::Encoder, HeadKind::MaskedLM},
    {"BertForTokenClassification", "bert", Family::Bert, ModelKind::Encoder, HeadKind::TokenClassification},
    {"RobertaModel", "roberta", Family::Bert, ModelKind::Encoder, HeadKind::None},
    {"RobertaForSequenceClassification", "roberta", Family::Bert, ModelKind::Encoder,
     HeadKind::SequenceClassification},
    {"RobertaForMaskedLM", "roberta", Family::Bert, ModelKind::Encoder, HeadKind::MaskedLM},
    {"RobertaForTokenClassification", "roberta", Family::Bert, ModelKind::Encoder,
     HeadKind::TokenClassification},
    {"XLMRobertaModel", "xlm-roberta", Family::Bert, ModelKind::Encoder, HeadKind::None},
    {"XLMRobertaForSequenceClassification", "xlm-roberta", Family::Bert, ModelKind::Encoder,
     HeadKind::SequenceClassification},
    {"XLMRobertaForMaskedLM", "xlm-roberta", Family::Bert, ModelKind::Encoder, HeadKind::MaskedLM},
    {"XLMRobertaForTokenClassification", "xlm-roberta", Family::Bert, ModelKind::Encoder,
     HeadKind::TokenClassification},
    {"DistilBertModel", "distilbert", Family::DistilBert, ModelKind::Encoder, HeadKind::None},
    {"DistilBertForSequenceClassification", "distilbert", Family::DistilBert, ModelKind::Encoder,
     HeadKind::SequenceClassification},
    {"DistilBertForMaskedLM", "distilbert", Family::DistilBert, ModelKind::Encoder, HeadKind::MaskedLM},
    {"DistilBertForTokenClassification", "distilbert", Family::DistilBert, ModelKind::Encoder,
     HeadKind::TokenClassification},
};

const ArchEntry& find_architecture(const JsonView& c, std::string& architecture) {
  std::string model_type = c.get_string("model_type");
  if (c.has("architectures")) {
    auto archs = c.get_strings("architectures");
    if (archs.empty()) c.fail("architectures", "empty list");
    architecture = archs.front();
    for (const auto& e : kArchitectures) {
      if (architecture == e.architecture) return e;
    }
    throw Error(Status::Unsupported, c.where() + ": architecture \"" + architecture + "\" (model_type \"" +
                                         model_type + "\") is not supported");
  }
  // No "architectures": the bare model of the model_type.
  for (const auto& e : kArchitectures) {
    if (model_type == e.model_type && (e.head == HeadKind::None || e.kind == ModelKind::CausalLM)) {
      architecture = e.architecture;
      return e;
    }
  }
  throw Error(Status::Unsupported, c.where() + ": model_type \"" + model_type + "\" is not supported");
}

std::int64_t dim(const JsonView& c, const char* key, std::int64_t max) {
  auto v = c.get_int(key);
  if (v <= 0 || v > max)
    c.fail(key, "value " + std::to_string(v) + " out of range [1, " + std::to_string(max) + "]");
  return v;
}

Activation parse_activation(const JsonView& c, const char* key, const std::string& fallback) {
  auto name = c.get_string(key, fallback);
  if (name == "silu" || name == "swish") return Activation::Silu;
  if (name == "gelu") return Activation::GeluErf;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluTanh;
  if (name == "relu") return Activation::Relu;
  throw Error(Status::Unsupported,
              c.where() + ": key \"" + key + "\": activation \"" + name + "\" is not supported");
}

std::vector<std::int64_t> token_ids(const JsonView& c, const char* key) {
  std::vector<std::int64_t> out;
  if (!c.has(key)) return out;
  const Json& v = c.json()[key];
  if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_number_integer()) c.fail(key, "expected integer token ids");
      out.push_back(e.get<std::int64_t>());
    }
  } else {
    out.push_back(c.get_int(key));
  }
  return out;
}

void parse_labels(const JsonView& c, ModelConfig& m) {
  if (auto id2label = c.find("id2label")) {
    std::size_t n = id2label->json().size();
    if (n > 1'000'000) c.fail("id2label", "too many labels");
    m.labels.assign(n, "");
    for (auto& [k, v] : id2label->json().items()) {
      std::size_t pos = 0;
      long long id = -1;
      try {
        id = std::stoll(k, &pos);
      } catch (const std::exception&) {
        pos = 0;
      }
      if (pos != k.size() || id < 0 || static_cast<std::size_t>(id) >= n) {
        c.fail("id2label", "key \"" + k + "\" is not an id in [0, " + std::to_string(n) + ")");
      }
      if (!v.is_string()) c.fail("id2label", "label for id " + k + " is not a string");
      m.labels[static_cast<std::size_t>(id)] = v.get<std::string>();
    }
  } else if (m.head == HeadKind::SequenceClassification || m.head == HeadKind::TokenClassification) {
    auto n = c.get_int("num_labels", 2);
    if (n <= 0 || n > 1'000'000) c.fail("num_labels", "out of range");
    for (std::int64_t i = 0; i < n; ++i) m.labels.push_back("LABEL_" + std::to_string(i));
  }
  m.problem_type = c.get_string("problem_type", "");
}

void parse_rope(const JsonView& c, ModelConfig& m) {
  m.rope_theta = c.get_number("rope_theta", 10000.0);
  if (!(m.rope_theta > 0)) c.fail("rope_theta", "must be positive");
  auto rs = c.find("rope_scaling");
  if (!rs) return;
  RopeScaling r;
  r.type = rs->has("rope_type") ? rs->get_string("rope_type") : rs->get_string("type");
  if (r.type == "default") return;
  if (r.type != "linear" && r.type != "dynamic" && r.type != "llama3") {
    throw Error(Status::Unsupported, rs->where() + ": rope scaling type \"" + r.type + "\" is not supported");
  }
  r.factor = rs->get_number("factor");
  if (!(r.factor >= 1.0)) rs->fail("factor", "must be >= 1");
  if (r.type == "llama3") {
    r.low_freq_factor = rs->get_number("low_freq_factor");
    r.high_freq_factor = rs->get_number("high_freq_factor");
    r.original_max_positions = rs->get_int("original_max_position_embeddings");
    if (!(r.high_freq_factor > r.low_freq_factor) || r.original_max_positions <= 0) {
      rs->fail("high_freq_factor", "needs high_freq_factor > low_freq_factor and a positive original length");
    }
  }
  m.rope_scaling = r;
}

void parse_llama(const JsonView& c, ModelConfig& m) {
  m.hidden_size = dim(c, "hidden_size", kMaxHidden);
  m.num_layers = dim(c, "num_hidden_layers", kMaxCount);
  m.num_heads = dim(c, "num_attention_heads", kMaxCount);
  m.num_kv_heads = c.has("num_key_value_heads") ? dim(c, "num_key_value_heads", kMaxCount) : m.num_heads;
  if (!c.has("head_dim") && m.hidden_size % m.num_heads != 0) {
    c.fail("num_attention_heads", "hidden_size " + std::to_string(m.hidden_size) + " is not a multiple of " +
                                      std::to_string(m.num_heads) + " heads (and there is no head_dim)");
  }
  m.head_dim = c.has("head_dim") ? dim(c, "head_dim", kMaxHidden) : m.hidden_size / m.num_heads;
  m.intermediate_size = dim(c, "intermediate_size", kMaxIntermediate);
  m.vocab_size = dim(c, "vocab_size", kMaxVocab);
  m.max_positions = dim(c, "max_position_embeddings", kMaxPositions);
  m.norm_eps = c.get_number("rms_norm_eps", 1e-6);
  m.activation = parse_activation(c, "hidden_act", "silu");
  m.tie_word_embeddings = c.get_bool("tie_word_embeddings", false);
  m.attention_bias = m.model_type == "qwen2" || c.get_bool("attention_bias", false);
  m.attention_out_bias = m.model_type != "qwen2" && c.get_bool("attention_bias", false);
  m.mlp_bias = c.get_bool("mlp_bias", false);
  if (m.model_type == "mistral" || (m.model_type == "qwen2" && c.get_bool("use_sliding_window", false))) {
    m.sliding_window = c.has("sliding_window") ? dim(c, "sliding_window", kMaxPositions) : 0;
  }
  if (m.num_heads % m.num_kv_heads != 0) {
    c.fail("num_key_value_heads", "num_attention_heads must be a multiple of num_key_value_heads");
  }
  if (m.head_dim % 2 != 0) c.fail("head_dim", "must be even for rotary embeddings");
  parse_rope(c, m);
}

void parse_gpt2(const JsonView& c, ModelConfig& m) {
  m.hidden_size = dim(c, "n_embd", kMaxHidden);
  m.num_layers = dim(c, "n_layer", kMaxCount);
  m.num_heads = dim(c, "n_head", kMaxCount);
  m.num_kv_heads = m.num_heads;
  m.head_dim = m.hidden_size / m.num_heads;
  m.intermediate_size = c.has("n_inner") ? dim(c, "n_inner", kMaxIntermediate) : 4 * m.hidden_size;
  m.vocab_size = dim(c, "vocab_size", kMaxVocab);
  m.max_positions = dim(c, "n_positions", kMaxPositions);
  m.norm_eps = c.get_number("layer_norm_epsilon", 1e-5);
  m.activation = parse_activation(c, "activation_function", "gelu_new");
  m.tie_word_embeddings = c.get_bool("tie_word_embeddings", true);
  if (c.get_bool("scale_attn_by_inverse_layer_idx", false) || c.get_bool("reorder_and_upcast_attn", false)) {
    throw Error(Status::Unsupported,
                c.where() + ": scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn");
  }
}

void parse_bert(const JsonView& c, ModelConfig& m) {
  m.hidden_size = dim(c, "hidden_size", kMaxHidden);
  m.num_layers = dim(c, "num_hidden_layers", kMaxCount);
  m.num_heads = dim(c, "num_attention_heads", kMaxCount);
  m.num_kv_heads = m.num_heads;
  m.head_dim = m.hidden_size / m.num_heads;
  m.intermediate_size = dim(c, "intermediate_size", kMaxIntermediate);
  m.vocab_size = dim(c, "vocab_size", kMaxVocab);
  m.max_positions = dim(c, "max_position_embeddings", kMaxPositions);
  m.type_vocab_size = c.get_int("type_vocab_size", 2);
  if (m.type_vocab_size < 0 || m.type_vocab_size > 1024) c.fail("type_vocab_size", "out of range");
  m.norm_eps = c.get_number("layer_norm_eps", 1e-12);
  m.activation = parse_activation(c, "hidden_act", "gelu");
  auto pet = c.get_string("position_embedding_type", "absolute");
  if (pet != "absolute") {
    throw Error(Status::Unsupported,
                c.where() + ": position_embedding_type \"" + pet + "\" is not supported");
  }
}

void parse_distilbert(const JsonView& c, ModelConfig& m) {
  m.hidden_size = dim(c, "dim", kMaxHidden);
  m.num_layers = dim(c, "n_layers", kMaxCount);
  m.num_heads = dim(c, "n_heads", kMaxCount);
  m.num_kv_heads = m.num_heads;
  m.head_dim = m.hidden_size / m.num_heads;
  m.intermediate_size = dim(c, "hidden_dim", kMaxIntermediate);
  m.vocab_size = dim(c, "vocab_size", kMaxVocab);
  m.max_positions = dim(c, "max_position_embeddings", kMaxPositions);
  m.norm_eps = 1e-12;  // fixed in DistilBERT's modelling code
  m.activation = parse_activation(c, "activation", "gelu");
  if (c.get_bool("sinusoidal_pos_embds", false)) {
    throw Error(Status::Unsupported, c.where() + ": sinusoidal_pos_embds is not supported");
  }
}

}  // namespace

ModelConfig parse_model_config(const Json& config, const std::string& where, const Json* generation_config) {
  JsonView c(config, where);
  ModelConfig m;
  const ArchEntry& arch = find_architecture(c, m.architecture);
  m.model_type = c.get_string("model_type");
  m.family = arch.family;
  m.kind = arch.kind;
  m.head = arch.head;
  switch (m.family) {
    case Family::Llama: parse_llama(c, m); break;
    case Family::Gpt2: parse_gpt2(c, m); break;
    case Family::Bert: parse_bert(c, m); break;
    case Family::DistilBert: parse_distilbert(c, m); break;
  }
  if (m.family != Family::Llama && m.hidden_size % m.num_heads != 0) {
    c.fail("num_attention_heads", "hidden size " + std::to_string(m.hidden_size) + " is not a multiple of " +
                                      std::to_string(m.num_heads) + " heads");
  }
  if (!(m.norm_eps > 0 && m.norm_eps < 1)) c.fail("norm eps", "must be in (0, 1)");
  parse_labels(c, m);
  m.pad_token_id = c.opt_int("pad_token_id");
  m.bos_token_id = c.opt_int("bos_token_id");
  m.eos_token_ids = token_ids(c, "eos_token_id");
  if (generation_config && generation_config->is_object()) {
    JsonView g(*generation_config, "generation_config.json");
    if (g.has("eos_token_id")) m.eos_token_ids = token_ids(g, "eos_token_id");
    if (g.has("bos_token_id")) m.bos_token_id = g.get_int("bos_token_id");
  }
  return m;
}

}  // namespace nib::io
