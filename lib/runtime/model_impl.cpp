#include "runtime/model_impl.hpp"

#include <set>

#include <nib/error.hpp>

namespace nib::detail {

namespace {

ModelInfo describe(const io::HfFolder& f, const io::WeightStore& w) {
  const auto& c = f.model;
  ModelInfo i;
  i.path = f.dir;
  i.architecture = c.architecture;
  i.model_type = c.model_type;
  i.kind = c.kind;
  i.head = c.head;
  i.hidden_size = c.hidden_size;
  i.num_layers = c.num_layers;
  i.num_heads = c.num_heads;
  i.num_kv_heads = c.num_kv_heads;
  i.head_dim = c.head_dim;
  i.intermediate_size = c.intermediate_size;
  i.vocab_size = c.vocab_size;
  i.max_positions = c.max_positions;
  i.labels = c.labels;
  i.problem_type = c.problem_type;
  i.tokenizer_kind = io::detect_tokenizer_kind(f.dir);
  std::set<std::string> dtypes;
  for (const auto& [name, t] : w.tensors()) {
    i.parameter_count += t->numel();
    dtypes.insert(io::dtype_name(t->dtype));
  }
  i.dtypes.assign(dtypes.begin(), dtypes.end());
  return i;
}

}  // namespace

ModelImpl::ModelImpl(const std::filesystem::path& dir, const LoadOptions& options)
    : options_(options), folder_(io::HfFolder::open(dir)), weights_(io::WeightStore::open(dir)) {
  info_ = describe(folder_, weights_);
  if (config().kind == ModelKind::CausalLM) {
    causal_lm_ = models::make_causal_lm(config(), binder_);
  } else {
    encoder_ = models::make_encoder(config(), binder_);
  }
}

const Tokenizer* ModelImpl::tokenizer() const {
  if (info_.tokenizer_kind == "none") return nullptr;
  std::lock_guard lock(tokenizer_mutex_);
  if (!tokenizer_) tokenizer_ = Tokenizer::load(info_.path);
  return &*tokenizer_;
}

const models::CausalLM& ModelImpl::causal_lm() const {
  if (!causal_lm_) {
    throw Error(Status::InvalidArgument,
                info_.path.string() + " (" + info_.architecture + ") is not a causal language model");
  }
  return *causal_lm_;
}

const models::Encoder& ModelImpl::encoder() const {
  if (!encoder_) {
    throw Error(Status::InvalidArgument,
                info_.path.string() + " (" + info_.architecture + ") is not an encoder model");
  }
  return *encoder_;
}

const models::ModuleRegistry& ModelImpl::modules() const {
  return causal_lm_ ? causal_lm_->modules() : encoder().modules();
}

}  // namespace nib::detail
