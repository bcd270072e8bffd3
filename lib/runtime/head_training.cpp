#include "runtime/head_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include <nib/error.hpp>

#include "runtime/elapsed.hpp"
#include "runtime/head_features.hpp"
#include "runtime/head_fit.hpp"
#include "runtime/head_impl.hpp"
#include "runtime/head_metrics.hpp"

namespace nib::detail {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;

void invalid(const std::string& what) {
  throw Error(Status::InvalidArgument, "train_head: " + what);
}

void check_options(const TrainHeadOptions& o, std::size_t n) {
  if (o.hidden_units < 0 || o.hidden_units > 65536) invalid("hidden_units must be in [0, 65536]");
  if (!(o.l2 >= 0) || !std::isfinite(o.l2)) invalid("l2 must be a finite number >= 0");
  if (o.max_iterations < 1) invalid("max_iterations must be >= 1");
  if (!(o.tolerance > 0)) invalid("tolerance must be > 0");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate)) invalid("learning_rate must be > 0");
  if (o.folds < 0 || o.folds == 1) invalid("folds must be 0 (no cross-validation) or >= 2");
  if (static_cast<std::size_t>(o.folds) > n) {
    invalid("folds (" + std::to_string(o.folds) + ") exceeds the " + std::to_string(n) + " examples");
  }
  if (!(o.validation_fraction >= 0 && o.validation_fraction <= 0.5))
    invalid("validation_fraction must be in [0, 0.5]");
  if (o.patience < 1) invalid("patience must be >= 1");
  if (o.threads < 0) invalid("threads must be >= 0");
}

// The sorted label set, and per example its label indices.
struct Targets {
  std::vector<std::string> labels;
  std::vector<std::vector<int>> of_example;
  std::vector<std::string> strata;  // the label (set) of each example, for stratified splits
};

Targets read_targets(std::span<const LabelledText> examples, bool multi_label) {
  std::set<std::string> set;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const auto& e = examples[i];
    if (!multi_label && e.labels.size() != 1) {
      invalid("example " + std::to_string(i) + " has " + std::to_string(e.labels.size()) +
              " labels; single-label training needs exactly one (set multi_label for several)");
    }
    for (const auto& l : e.labels) {
      if (l.empty()) invalid("example " + std::to_string(i) + " has an empty label");
      set.insert(l);
    }
  }
  Targets t;
  t.labels.assign(set.begin(), set.end());
  if (!multi_label && t.labels.size() < 2)
    invalid("single-label training needs at least two distinct labels");
  if (t.labels.empty()) invalid("no example has a label");
  for (const auto& e : examples) {
    std::vector<int> ids;
    for (const auto& l : e.labels) {
      ids.push_back(
          static_cast<int>(std::lower_bound(t.labels.begin(), t.labels.end(), l) - t.labels.begin()));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string key;
    for (int id : ids) key += std::to_string(id) + ",";
    t.of_example.push_back(std::move(ids));
    t.strata.push_back(std::move(key));
  }
  return t;
}

// Targets and loss weights of the examples `rows`; Balanced weights come from these rows' counts.
FitData subset(const MatrixXd& x, const Targets& t, const std::vector<std::size_t>& rows, bool multi_label,
               ClassWeighting weighting) {
  const auto k = static_cast<Index>(t.labels.size());
  const auto n = static_cast<Index>(rows.size());
  FitData d{MatrixXd(n, x.cols()), MatrixXd::Zero(n, k), MatrixXd::Ones(n, k)};
  for (Index r = 0; r < n; ++r) {
    d.x.row(r) = x.row(static_cast<Index>(rows[static_cast<std::size_t>(r)]));
    for (int label : t.of_example[rows[static_cast<std::size_t>(r)]]) d.y(r, label) = 1;
  }
  if (weighting == ClassWeighting::Balanced) {
    const Eigen::VectorXd positives = d.y.colwise().sum().transpose();
    for (Index r = 0; r < n; ++r) {
      for (Index c = 0; c < k; ++c) {
        if (multi_label) {
          const double pos = positives(c), neg = static_cast<double>(n) - pos;
          if (pos > 0 && neg > 0)
            d.weights(r, c) = static_cast<double>(n) / (2 * (d.y(r, c) > 0 ? pos : neg));
        } else {
          Index label = 0;
          d.y.row(r).maxCoeff(&label);
          d.weights(r, c) = static_cast<double>(n) / (static_cast<double>(k) * positives(label));
        }
      }
    }
  }
  return d;
}

FitSettings settings(const TrainHeadOptions& o) {
  return {o.multi_label, o.hidden_units,  o.l2,       o.max_iterations,
          o.tolerance,   o.learning_rate, o.patience, o.seed};
}

// One fit on `rows`, holding out a stratified validation part when early stopping is asked for.
FitResult fit_rows(const MatrixXd& x, const Targets& t, const std::vector<std::size_t>& rows,
                   const TrainHeadOptions& o) {
  if (o.validation_fraction <= 0)
    return fit_head(subset(x, t, rows, o.multi_label, o.class_weighting), settings(o));
  std::vector<std::string> strata;
  for (auto r : rows) strata.push_back(t.strata[r]);
  const int parts = std::max(2, static_cast<int>(std::lround(1 / o.validation_fraction)));
  const auto part = stratified_folds(strata, parts, o.seed ^ 0x5eed5eed5eed5eedull);
  std::vector<std::size_t> fit, held;
  for (std::size_t i = 0; i < rows.size(); ++i) (part[i] == 0 ? held : fit).push_back(rows[i]);
  if (fit.empty() || held.empty())
    return fit_head(subset(x, t, rows, o.multi_label, o.class_weighting), settings(o));
  const auto val = subset(x, t, held, o.multi_label, o.class_weighting);
  return fit_head(subset(x, t, fit, o.multi_label, o.class_weighting), settings(o), &val);
}

std::vector<float> to_floats(const MatrixXd& m) {  // row-major, as safetensors stores it
  std::vector<float> out(static_cast<std::size_t>(m.size()));
  for (Index r = 0; r < m.rows(); ++r) {
    for (Index c = 0; c < m.cols(); ++c)
      out[static_cast<std::size_t>(r * m.cols() + c)] = static_cast<float>(m(r, c));
  }
  return out;
}

}  // namespace

TrainedHead train_head(const Model& model, std::span<const LabelledText> examples,
                       const TrainHeadOptions& o) {
  if (examples.empty()) invalid("no examples");
  check_options(o, examples.size());
  const auto targets = read_targets(examples, o.multi_label);
  const auto k = static_cast<int>(targets.labels.size());
  auto report_progress = [&](float p) {
    if (o.progress && !o.progress(p))
      throw Error(Status::Cancelled, "train_head cancelled by the progress callback");
  };
  report_progress(0.f);

  TrainHeadReport report;
  report.examples = std::ssize(examples);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> texts;
  texts.reserve(examples.size());
  for (const auto& e : examples) texts.push_back(e.text);
  constexpr float kFeatureShare = 0.8f;  // of the progress range
  const auto features = compute_features(
      model, texts, o, [&](float p) { return !o.progress || o.progress(kFeatureShare * p); });
  report.feature_ms = ms_since(t0);
  report.features_computed = features.computed;
  const MatrixXd& x = features.x;

  t0 = std::chrono::steady_clock::now();
  const auto fits = static_cast<float>(o.folds + 1);
  if (o.folds >= 2) {
    report.folds = o.folds;
    const auto fold = stratified_folds(targets.strata, o.folds, o.seed);
    std::vector<int> truth(examples.size()), predicted(examples.size());
    std::vector<std::vector<bool>> truth_sets(examples.size()), predicted_sets(examples.size());
    for (int f = 0; f < o.folds; ++f) {
      report_progress(kFeatureShare + (1 - kFeatureShare) * static_cast<float>(f) / fits);
      std::vector<std::size_t> train, test;
      for (std::size_t i = 0; i < examples.size(); ++i) (fold[i] == f ? test : train).push_back(i);
      const auto fit = fit_rows(x, targets, train, o);
      const auto held = subset(x, targets, test, o.multi_label, ClassWeighting::None);
      const MatrixXd z = head_logits(fit, held.x);
      FoldReport fr{std::ssize(train), std::ssize(test), 0, 0, fit.iterations};
      std::vector<int> ft, fp;
      std::vector<std::vector<bool>> fts, fps;
      for (Index r = 0; r < z.rows(); ++r) {
        const auto i = test[static_cast<std::size_t>(r)];
        Index best = 0, label = 0;
        z.row(r).maxCoeff(&best);
        held.y.row(r).maxCoeff(&label);
        truth[i] = static_cast<int>(label), predicted[i] = static_cast<int>(best);
        ft.push_back(truth[i]), fp.push_back(predicted[i]);
        for (Index c = 0; c < k; ++c) {
          truth_sets[i].push_back(held.y(r, c) > 0);
          predicted_sets[i].push_back(z(r, c) > 0);
        }
        fts.push_back(truth_sets[i]), fps.push_back(predicted_sets[i]);
      }
      if (o.multi_label) {
        fr.accuracy = subset_accuracy(fts, fps), fr.macro_f1 = multi_label_macro_f1(fts, fps);
      } else {
        const auto c = confusion_matrix(ft, fp, k);
        fr.accuracy = accuracy(c), fr.macro_f1 = macro_f1(c);
      }
      report.per_fold.push_back(fr);
    }
    if (o.multi_label) {
      report.cv_accuracy = subset_accuracy(truth_sets, predicted_sets);
      report.cv_macro_f1 = multi_label_macro_f1(truth_sets, predicted_sets);
    } else {
      report.confusion = confusion_matrix(truth, predicted, k);
      report.cv_accuracy = accuracy(report.confusion);
      report.cv_macro_f1 = macro_f1(report.confusion);
    }
  }
  report_progress(kFeatureShare + (1 - kFeatureShare) * static_cast<float>(o.folds) / fits);
  std::vector<std::size_t> all(examples.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const auto fit = fit_rows(x, targets, all, o);
  report.fit_ms = ms_since(t0);
  report.iterations = fit.iterations;
  report.converged = fit.converged;
  report.train_loss = fit.loss;

  auto head = std::make_shared<HeadImpl>();
  auto& info = head->info;
  info.labels = targets.labels;
  info.multi_label = o.multi_label;
  info.pooling = features.pooling;
  info.normalize = features.normalize;
  info.feature_dim = x.cols();
  info.hidden_units = o.hidden_units;
  info.base_architecture = model.info().architecture;
  info.base_checksum = model.weights_checksum();
  if (o.hidden_units > 0) {
    head->hidden_weight = to_floats(fit.hidden_weight);
    head->hidden_bias = to_floats(fit.hidden_bias);
  }
  head->out_weight = to_floats(fit.out_weight);
  head->out_bias = to_floats(fit.out_bias);
  report_progress(1.f);
  return {Head(std::move(head)), std::move(report)};
}

}  // namespace nib::detail
