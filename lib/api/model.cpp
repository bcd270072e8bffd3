#include <nib/error.hpp>
#include <nib/model.hpp>

#include "runtime/model_impl.hpp"

namespace nib {

const char* kind_name(ModelKind kind) noexcept {
  return kind == ModelKind::CausalLM ? "causal-lm" : "encoder";
}

const char* head_name(HeadKind head) noexcept {
  switch (head) {
    case HeadKind::None: return "none";
    case HeadKind::LanguageModel: return "lm";
    case HeadKind::SequenceClassification: return "sequence-classification";
    case HeadKind::MaskedLM: return "masked-lm";
    case HeadKind::TokenClassification: return "token-classification";
  }
  return "unknown";
}

Model::Model(std::shared_ptr<const detail::ModelImpl> impl) : impl_(std::move(impl)) {}

Model Model::load(const std::filesystem::path& dir, const LoadOptions& options) {
  return Model(std::make_shared<const detail::ModelImpl>(dir, options));
}

const ModelInfo& Model::info() const {
  return impl_->info();
}

const Tokenizer& Model::tokenizer() const {
  if (const Tokenizer* t = impl_->tokenizer()) return *t;
  throw Error(Status::InvalidArgument, impl_->info().path.string() + " has no tokenizer files");
}

bool Model::has_tokenizer() const {
  return impl_->info().tokenizer_kind != "none";
}

const std::string& Model::weights_checksum() const {
  return impl_->weights_checksum();
}

}  // namespace nib
