#include "runtime/causal_embedding.hpp"

#include <nib/error.hpp>

#include "kernels/kernels.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/encoder_tasks.hpp"
#include "runtime/generation.hpp"
#include "runtime/session_impl.hpp"

namespace nib::detail {

std::vector<std::vector<float>> embed_causal(SessionImpl& s, std::span<const std::string> texts,
                                             Pooling pooling, bool normalize, const EncodeOptions& options) {
  if (pooling != Pooling::Mean && pooling != Pooling::LastToken) {
    throw Error(Status::InvalidArgument,
                "embed: a causal LM pools its hidden states by mean or last token, not cls");
  }
  const auto& tok = s.model.tokenizer();
  CausalRuntime& rt = causal_runtime(s);
  kernels::set_num_threads(s.options.threads);
  const std::int64_t h = rt.lm->config().hidden_size;
  std::vector<float> hidden;
  std::vector<std::uint8_t> mask;
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    s.check_cancelled();
    EncoderInput in{tok.encode(texts[i], /*add_special_tokens=*/true).ids, {}};
    if (in.ids.empty())
      throw Error(Status::InvalidArgument, "embed: text " + std::to_string(i) + " has no tokens");
    fit_length(in, rt.n_ctx(), options.truncation, /*keep_last=*/false);
    const auto n = static_cast<std::int64_t>(in.ids.size());
    hidden.resize(static_cast<std::size_t>(n * h));
    mask.assign(static_cast<std::size_t>(n), 1);
    rt.clear();
    rt.lm->forward_hidden(in.ids, *rt.state, hidden.data(), s.adapters);
    rt.cached_ids.assign(in.ids.begin(), in.ids.end());
    out.push_back(pool(hidden.data(), mask.data(), n, h, pooling, normalize));
  }
  return out;
}

}  // namespace nib::detail
