#pragma once
// nib::Model — a Hugging Face model folder, loaded once and shared (immutable, thread-safe).
#include <nib/export.hpp>
#include <nib/options.hpp>
#include <nib/tokenizer.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace nib {

namespace detail {
class ModelImpl;
}

enum class ModelKind { CausalLM, Encoder };
enum class HeadKind { None, LanguageModel, SequenceClassification, MaskedLM, TokenClassification };

NIB_API const char* kind_name(ModelKind kind) noexcept;  // "causal-lm" / "encoder"
NIB_API const char* head_name(HeadKind head) noexcept;   // "lm", "sequence-classification", ...

struct ModelInfo {
  std::filesystem::path path;
  std::string architecture;  // config.json "architectures"[0], e.g. "LlamaForCausalLM"
  std::string model_type;    // config.json "model_type", e.g. "llama"
  ModelKind kind = ModelKind::CausalLM;
  HeadKind head = HeadKind::None;
  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t vocab_size = 0;
  std::int64_t max_positions = 0;  // context length
  std::int64_t parameter_count = 0;
  std::vector<std::string> dtypes;  // distinct stored dtypes, e.g. {"F32"}
  std::vector<std::string> labels;  // id2label in id order (classification heads)
  std::string
      problem_type;  // "single_label_classification", "multi_label_classification", "regression" or ""
  std::string tokenizer_kind;  // "tokenizer.json", "sentencepiece", "wordpiece-vocab", "bpe-vocab", "none"
};

class NIB_API Model {
 public:
  static Model load(const std::filesystem::path& dir, const LoadOptions& options = {});

  const ModelInfo& info() const;
  // The folder's tokenizer (parsed on first use); InvalidArgument naming the folder when it has no
  // tokenizer files.
  const Tokenizer& tokenizer() const;
  bool has_tokenizer() const;
  // 16 hex digits identifying the weights (a hash of every tensor's name, dtype, shape and bytes;
  // computed once per Model). Files trained on this model (nib::Head) record it.
  const std::string& weights_checksum() const;

  explicit Model(std::shared_ptr<const detail::ModelImpl> impl);
  const detail::ModelImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const detail::ModelImpl> impl_;
};

}  // namespace nib
