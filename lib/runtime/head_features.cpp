#include "runtime/head_features.hpp"

#include <nib/error.hpp>

#include "runtime/model_impl.hpp"
#include "runtime/sentence_pooling.hpp"

namespace nib::detail {

namespace {
constexpr std::size_t kBatch = 64;  // texts per embed() call: a progress and cancel point
}

Features compute_features(const Model& model, std::span<const std::string> texts,
                          const TrainHeadOptions& options, const std::function<bool(float)>& progress) {
  SessionOptions so;
  so.threads = options.threads;
  Session session(model, so);
  if (!options.adapters.empty()) session.use_adapters(options.adapters);
  const auto plan = plan_embedding(session.impl(), {options.pooling, options.normalize});
  Features f;
  f.pooling = plan.pooling;
  f.normalize = plan.normalize;
  FeatureCache* cache = options.adapters.empty() ? &model.impl().feature_cache() : nullptr;

  std::vector<std::vector<float>> rows(texts.size());
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (cache) {
      if (auto hit = cache->find(f.pooling, f.normalize, texts[i])) {
        rows[i] = std::move(*hit);
        continue;
      }
    }
    missing.push_back(i);
  }
  for (std::size_t begin = 0; begin < missing.size(); begin += kBatch) {
    if (progress && !progress(static_cast<float>(begin) / static_cast<float>(missing.size()))) {
      throw Error(Status::Cancelled, "train_head cancelled by the progress callback");
    }
    const auto end = std::min(missing.size(), begin + kBatch);
    std::vector<std::string> batch;
    for (auto j = begin; j < end; ++j) batch.push_back(texts[missing[j]]);
    auto embedded = session.embed(batch, {f.pooling, f.normalize});
    for (auto j = begin; j < end; ++j) {
      auto& row = embedded[j - begin];
      if (cache) cache->insert(f.pooling, f.normalize, texts[missing[j]], row);
      rows[missing[j]] = std::move(row);
    }
  }
  f.computed = static_cast<std::int64_t>(missing.size());
  const auto dim = rows.empty() ? 0 : static_cast<Eigen::Index>(rows[0].size());
  f.x.resize(static_cast<Eigen::Index>(rows.size()), dim);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (Eigen::Index c = 0; c < dim; ++c)
      f.x(static_cast<Eigen::Index>(i), c) = rows[i][static_cast<std::size_t>(c)];
  }
  return f;
}

}  // namespace nib::detail
