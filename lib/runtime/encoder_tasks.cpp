#include "runtime/encoder_tasks.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nib/error.hpp>

#include "kernels/kernels.hpp"
#include "runtime/encoder_runtime.hpp"
#include "runtime/session_impl.hpp"

namespace nib::detail {

namespace {

// One forward pass holds at most this many sequences and padded tokens (bounds the activations:
// bert-base at 32 × 512 tokens needs ~1 GB of scratch).
constexpr std::size_t kMaxBatchSequences = 32;
constexpr std::int64_t kMaxBatchTokens = 32 * 512;

EncoderRuntime& runtime(SessionImpl& s) {
  if (!s.encoder) s.encoder = std::make_unique<EncoderRuntime>();
  kernels::set_num_threads(s.options.threads);
  return *s.encoder;
}

void check_input(const EncoderInput& in, std::size_t index) {
  if (in.ids.empty()) {
    throw Error(Status::InvalidArgument, "encoder input " + std::to_string(index) + " has no tokens");
  }
  if (!in.type_ids.empty() && in.type_ids.size() != in.ids.size()) {
    throw Error(Status::InvalidArgument, "encoder input " + std::to_string(index) + ": " +
                                             std::to_string(in.type_ids.size()) + " token type ids for " +
                                             std::to_string(in.ids.size()) + " tokens");
  }
}

void fill_batch(models::EncoderBatch& b, std::span<const EncoderInput> inputs,
                std::span<const std::size_t> which, std::int32_t pad_id) {
  std::size_t len = 0;
  for (auto i : which) len = std::max(len, inputs[i].ids.size());
  b.batch = std::ssize(which);
  b.seq_len = static_cast<std::int64_t>(len);
  b.ids.assign(which.size() * len, pad_id);
  b.mask.assign(which.size() * len, 0);
  b.type_ids.assign(which.size() * len, 0);
  for (std::size_t r = 0; r < which.size(); ++r) {
    const auto& in = inputs[which[r]];
    std::copy(in.ids.begin(), in.ids.end(), b.ids.begin() + static_cast<std::ptrdiff_t>(r * len));
    std::fill_n(b.mask.begin() + static_cast<std::ptrdiff_t>(r * len), in.ids.size(), 1);
    std::copy(in.type_ids.begin(), in.type_ids.end(),
              b.type_ids.begin() + static_cast<std::ptrdiff_t>(r * len));
  }
}

// Runs the inputs in padded batches of similar length and calls fn(runtime, which) after each
// forward pass; which[r] is the input index of batch row r.
template <class Fn>
void for_each_encoded(SessionImpl& s, std::span<const EncoderInput> inputs, Fn&& fn) {
  const auto& enc = s.model_impl().encoder();
  auto& rt = runtime(s);
  for (std::size_t i = 0; i < inputs.size(); ++i) check_input(inputs[i], i);
  std::vector<std::size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return inputs[a].ids.size() < inputs[b].ids.size(); });
  const auto pad = static_cast<std::int32_t>(enc.config().pad_token_id.value_or(0));
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && end - begin < kMaxBatchSequences &&
           static_cast<std::int64_t>((end - begin + 1) * inputs[order[end]].ids.size()) <= kMaxBatchTokens) {
      ++end;
    }
    s.check_cancelled();
    const std::span<const std::size_t> which(order.data() + begin, end - begin);
    fill_batch(rt.batch, inputs, which, pad);
    enc.encode(rt.batch, rt.hidden, rt.workspace, s.adapters);
    fn(rt, which);
    begin = end;
  }
}

void sigmoid(std::vector<float>& x) {
  for (auto& v : x) v = 1.f / (1.f + std::exp(-v));
}

}  // namespace

void fit_length(EncoderInput& input, std::int64_t max_tokens, Truncation truncation, bool keep_last) {
  const auto n = static_cast<std::int64_t>(input.ids.size());
  if (n <= max_tokens) return;
  if (truncation == Truncation::Error) {
    throw Error(Status::InvalidArgument, "input of " + std::to_string(n) + " tokens exceeds the model's " +
                                             std::to_string(max_tokens) +
                                             " positions (use Truncation::Truncate to cut it)");
  }
  if (max_tokens <= 0) throw Error(Status::InvalidArgument, "the model has no positions for the input");
  auto cut = [&](auto& v) {
    if (v.empty()) return;
    const auto last = v.back();
    v.resize(static_cast<std::size_t>(max_tokens));
    if (keep_last) v.back() = last;
  };
  cut(input.ids);
  cut(input.type_ids);
}

ScoreFunction score_function(const io::ModelConfig& c) {
  if (c.problem_type == "multi_label_classification") return ScoreFunction::Sigmoid;
  if (c.problem_type == "regression") return ScoreFunction::None;
  if (c.problem_type.empty() && c.labels.size() == 1) return ScoreFunction::None;
  return ScoreFunction::Softmax;
}

Classification make_classification(std::span<const float> logits, const std::vector<std::string>& labels,
                                   ScoreFunction fn) {
  Classification c;
  c.logits.assign(logits.begin(), logits.end());
  c.scores = c.logits;
  if (fn == ScoreFunction::Softmax) kernels::softmax_rows(c.scores.data(), 1, std::ssize(c.scores));
  if (fn == ScoreFunction::Sigmoid) sigmoid(c.scores);
  c.labels = labels;
  if (!c.scores.empty()) {
    const auto best = std::max_element(c.scores.begin(), c.scores.end()) - c.scores.begin();
    c.label = static_cast<std::size_t>(best) < labels.size() ? labels[static_cast<std::size_t>(best)]
                                                             : "LABEL_" + std::to_string(best);
  }
  return c;
}

std::vector<float> pool(const float* hidden, const std::uint8_t* mask, std::int64_t seq_len, std::int64_t dim,
                        Pooling pooling, bool normalize) {
  std::vector<float> out(static_cast<std::size_t>(dim), 0.f);
  if (pooling == Pooling::Cls) {
    std::copy(hidden, hidden + dim, out.begin());
  } else if (pooling == Pooling::LastToken) {
    std::int64_t last = -1;
    for (std::int64_t t = 0; t < seq_len; ++t) last = mask[t] ? t : last;
    if (last >= 0) std::copy(hidden + last * dim, hidden + (last + 1) * dim, out.begin());
  } else {
    // Accumulate in double: the mean of many rows should not depend on their order.
    std::vector<double> sum(static_cast<std::size_t>(dim), 0.0);
    std::int64_t count = 0;
    for (std::int64_t t = 0; t < seq_len; ++t) {
      if (!mask[t]) continue;
      ++count;
      for (std::int64_t d = 0; d < dim; ++d) sum[static_cast<std::size_t>(d)] += hidden[t * dim + d];
    }
    // sentence-transformers clamps the token count at 1e-9: no tokens gives zeros, not NaN.
    const double n = std::max<double>(static_cast<double>(count), 1e-9);
    for (std::int64_t d = 0; d < dim; ++d)
      out[static_cast<std::size_t>(d)] = static_cast<float>(sum[static_cast<std::size_t>(d)] / n);
  }
  if (normalize) {
    double sq = 0;
    for (float v : out) sq += static_cast<double>(v) * v;
    const double norm = std::max(std::sqrt(sq), 1e-12);  // torch.nn.functional.normalize's eps
    for (auto& v : out) v = static_cast<float>(v / norm);
  }
  return out;
}

std::vector<Classification> classify_inputs(SessionImpl& s, std::span<const EncoderInput> inputs) {
  const auto& enc = s.model_impl().encoder();
  const auto& labels = enc.config().labels;
  const auto fn = score_function(enc.config());
  const auto n_labels = static_cast<std::int64_t>(labels.size());
  std::vector<Classification> out(inputs.size());
  for_each_encoded(s, inputs, [&](EncoderRuntime& rt, std::span<const std::size_t> which) {
    rt.logits.resize(static_cast<std::size_t>(rt.batch.batch * n_labels));
    enc.classify(rt.batch, rt.hidden.data(), rt.logits.data(), rt.workspace, s.adapters);
    for (std::size_t r = 0; r < which.size(); ++r) {
      const std::span<const float> row(rt.logits.data() + r * static_cast<std::size_t>(n_labels),
                                       static_cast<std::size_t>(n_labels));
      out[which[r]] = make_classification(row, labels, fn);
    }
  });
  return out;
}

std::vector<std::vector<float>> embed_inputs(SessionImpl& s, std::span<const EncoderInput> inputs,
                                             Pooling pooling, bool normalize) {
  const std::int64_t h = s.model_impl().encoder().hidden_size();
  std::vector<std::vector<float>> out(inputs.size());
  for_each_encoded(s, inputs, [&](EncoderRuntime& rt, std::span<const std::size_t> which) {
    const std::int64_t t = rt.batch.seq_len;
    for (std::size_t r = 0; r < which.size(); ++r) {
      const auto row = static_cast<std::int64_t>(r) * t;
      out[which[r]] = pool(rt.hidden.data() + row * h, rt.batch.mask.data() + row, t, h, pooling, normalize);
    }
  });
  return out;
}

std::vector<MaskFill> fill_mask_input(SessionImpl& s, const EncoderInput& input, std::int64_t position,
                                      int k) {
  const auto& enc = s.model_impl().encoder();
  if (position < 0 || position >= std::ssize(input.ids)) {
    throw Error(Status::InvalidArgument, "fill-mask position " + std::to_string(position) +
                                             " is outside the " + std::to_string(input.ids.size()) +
                                             " tokens");
  }
  if (k <= 0) throw Error(Status::InvalidArgument, "fill-mask k must be >= 1, got " + std::to_string(k));
  const std::int64_t vocab = enc.config().vocab_size;
  std::vector<float> logits(static_cast<std::size_t>(vocab));
  for_each_encoded(s, std::span(&input, 1), [&](EncoderRuntime& rt, std::span<const std::size_t>) {
    const std::int64_t row = position;
    enc.mlm_logits(rt.hidden.data(), std::span(&row, 1), logits.data(), rt.workspace, s.adapters);
  });
  std::vector<float> probs = logits;
  kernels::softmax_rows(probs.data(), 1, vocab);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(vocab));
  std::iota(ids.begin(), ids.end(), 0);
  const auto top = std::min<std::size_t>(static_cast<std::size_t>(k), ids.size());
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(top), ids.end(),
                    [&](std::int32_t a, std::int32_t b) {
                      const auto la = logits[static_cast<std::size_t>(a)],
                                 lb = logits[static_cast<std::size_t>(b)];
                      return la != lb ? la > lb : a < b;
                    });
  std::vector<MaskFill> out(top);
  for (std::size_t i = 0; i < top; ++i) {
    const auto id = static_cast<std::size_t>(ids[i]);
    out[i].id = ids[i];
    out[i].score = probs[id];
    out[i].logit = logits[id];
  }
  return out;
}

std::vector<float> token_probabilities(SessionImpl& s, const EncoderInput& input) {
  const auto& enc = s.model_impl().encoder();
  const auto n_labels = static_cast<std::int64_t>(enc.config().labels.size());
  const auto n = static_cast<std::int64_t>(input.ids.size());
  std::vector<float> probs(static_cast<std::size_t>(n * n_labels));
  for_each_encoded(s, std::span(&input, 1), [&](EncoderRuntime& rt, std::span<const std::size_t>) {
    enc.token_logits(rt.hidden.data(), n, probs.data(), rt.workspace, s.adapters);
  });
  kernels::softmax_rows(probs.data(), n, n_labels);
  return probs;
}

}  // namespace nib::detail
