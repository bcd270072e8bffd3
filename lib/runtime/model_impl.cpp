#include "runtime/model_impl.hpp"

#include <algorithm>
#include <set>

#include <nib/error.hpp>

#include "runtime/weights_checksum.hpp"

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

// Reports load progress: 0 first, then the weights in proportion to their checkpoint bytes as they
// are bound (the costly part when 16-bit weights are widened), 1 last. A false return cancels.
void report(const ProgressFn& progress, float fraction) {
  if (progress && !progress(fraction))
    throw Error(Status::Cancelled, "model load cancelled by the progress callback");
}

constexpr float kOpened = 0.05f;

// Auto keeps f32 (exact against the f32 goldens); the reduced types are opt-in.
kernels::Storage storage_of(WeightType t) {
  switch (t) {
    case WeightType::Auto:
    case WeightType::F32: return kernels::Storage::F32;
    case WeightType::BF16: return kernels::Storage::BF16;
    case WeightType::F16: return kernels::Storage::F16;
    case WeightType::Int8: return kernels::Storage::Int8;
    case WeightType::Int4: return kernels::Storage::Int4;
  }
  throw Error(Status::InvalidArgument,
              "LoadOptions::weights " + std::to_string(static_cast<int>(t)) + " is not a nib::WeightType");
}  // config, tokenizer kind and tensor index read

}  // namespace

ModelImpl::ModelImpl(const std::filesystem::path& dir, const LoadOptions& options)
    : options_((report(options.progress, 0.f), options)),
      folder_(io::HfFolder::open(dir)),
      weights_(io::WeightStore::open(dir)),
      binder_(weights_, storage_of(options_.weights)) {
  info_ = describe(folder_, weights_);
  report(options_.progress, kOpened);
  if (options_.progress) {
    std::size_t total = 0, bound = 0;
    for (const auto& [name, t] : weights_.tensors()) total += t->bytes.size();
    binder_.on_bind([this, total, bound](std::size_t bytes) mutable {
      bound += bytes;
      const double done = total ? static_cast<double>(bound) / static_cast<double>(total) : 1.0;
      report(options_.progress, kOpened + (1.f - kOpened) * 0.99f * static_cast<float>(std::min(done, 1.0)));
    });
  }
  // Each tensor as it is bound, before its memory is allocated (the headers are validated: no tensor
  // claims bytes its file lacks). A refused load frees what it had bound.
  binder_.on_hold([this, dir](const std::string& what, std::size_t bytes) {
    weights_memory_.push_back(memory_.reserve(bytes, what + " of " + dir.string()));
  });
  if (config().kind == ModelKind::CausalLM) {
    causal_lm_ = models::make_causal_lm(config(), binder_);
  } else {
    encoder_ = models::make_encoder(config(), binder_);
  }
  binder_.on_bind({});
  binder_.on_hold({});
  report(options_.progress, 1.f);
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

const std::string& ModelImpl::weights_checksum() const {
  std::call_once(caches_.checksum_once, [this] { caches_.checksum = detail::weights_checksum(weights_); });
  return caches_.checksum;
}

}  // namespace nib::detail
