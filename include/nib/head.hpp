#pragma once
// nib::Head — a small task head trained in-process on a base model's pooled embeddings: a linear
// layer (or one hidden layer) with softmax (single-label) or sigmoid (multi-label) outputs. It
// saves as a small folder beside the shared base model (head_config.json + head.safetensors),
// loads against the same base only, and attaches to a Session like an adapter (Session::set_head),
// together with any LoRA adapters; Session::classify then returns the head's labels.
#include <nib/adapter.hpp>
#include <nib/export.hpp>
#include <nib/model.hpp>
#include <nib/options.hpp>
#include <nib/session.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace nib {

namespace detail {
class HeadImpl;
}

// One training example: a text and its label (single-label: exactly one; multi-label: any number,
// including none).
struct LabelledText {
  std::string text;
  std::vector<std::string> labels;
};

// Balanced weighs each example by n / (classes * examples of its class) (multi-label: each label's
// positives against its negatives), so rare classes count as much as common ones.
enum class ClassWeighting { None, Balanced };

struct TrainHeadOptions {
  // Features: the base model's embedding as Session::embed computes it. Auto resolves to the
  // folder's sentence-transformers pooling, else Mean; the resolved pooling is saved with the head.
  Pooling pooling = Pooling::Auto;
  bool normalize = false;    // L2-normalise the pooled embedding
  bool multi_label = false;  // sigmoid per label instead of a softmax over labels
  // 0: a linear head fitted by L-BFGS (deterministic, to convergence). > 0: one hidden ReLU layer
  // of this width fitted by full-batch Adam from a seeded initialisation.
  int hidden_units = 0;
  double l2 = 1e-2;  // L2 penalty on the weights (not the biases), on standardised features
  ClassWeighting class_weighting = ClassWeighting::None;
  int max_iterations = 1000;    // L-BFGS iterations / Adam steps
  double tolerance = 1e-6;      // L-BFGS stops when the gradient's max-norm falls below this
  double learning_rate = 1e-2;  // Adam
  // Cross-validation in the report: stratified k folds (0: none). Each fold fits a head on the
  // other folds with the same options; the returned head is fitted on every example.
  int folds = 5;
  // > 0: hold out this stratified fraction and stop when its loss has not improved for `patience`
  // iterations, keeping the best weights (applies to every fit, the folds' included).
  double validation_fraction = 0;
  int patience = 20;
  std::uint64_t seed = 0;  // fold assignment, held-out split and hidden-layer initialisation
  // Features are computed with these adapters active (attach the same set when classifying).
  std::vector<AdapterRef> adapters;
  int threads = 0;
  ProgressFn progress;  // features then fits, in [0, 1]; false cancels (Status::Cancelled)
};

struct FoldReport {
  std::int64_t train_examples = 0, test_examples = 0;
  double accuracy = 0, macro_f1 = 0;
  int iterations = 0;
};

struct TrainHeadReport {
  std::int64_t examples = 0;
  std::int64_t features_computed = 0;  // forward passes run (the rest came from the model's cache)
  // Cross-validation over out-of-fold predictions (0 folds: all zero / empty). Single-label
  // accuracy is the share of correct labels; multi-label, the share of examples whose whole label
  // set is right, and macro-F1 averages each label's binary F1.
  int folds = 0;
  double cv_accuracy = 0, cv_macro_f1 = 0;
  std::vector<std::vector<std::int64_t>> confusion;  // single-label: [true label][predicted label]
  std::vector<FoldReport> per_fold;
  // The final fit on every example.
  int iterations = 0;
  bool converged = false;  // L-BFGS reached the tolerance (Adam / early stop: false)
  double train_loss = 0;   // regularised, class-weighted mean loss
  double feature_ms = 0;   // embeddings (forward passes)
  double fit_ms = 0;       // every fit: the folds' and the final one
};

struct HeadInfo {
  std::filesystem::path path;  // the folder it was loaded from (empty when trained in-process)
  std::vector<std::string> labels;
  bool multi_label = false;
  Pooling pooling = Pooling::Mean;  // resolved (never Auto)
  bool normalize = false;
  std::int64_t feature_dim = 0;
  std::int64_t hidden_units = 0;  // 0: linear
  std::string base_architecture;
  std::string base_checksum;  // of the base weights' tensor data (see Model::weights_checksum)
};

class NIB_API Head {
 public:
  // Loads head_config.json + head.safetensors from `dir`. Format errors name the file and the key
  // or tensor at fault; InvalidArgument when `base` is not the model the head was trained on
  // (architecture or weights checksum differ).
  static Head load(const std::filesystem::path& dir, const Model& base);
  // Writes the folder (created if needed; existing head files are replaced).
  void save(const std::filesystem::path& dir) const;

  const HeadInfo& info() const;
  // Scores of one feature vector (an embedding pooled as info() says): what classify() returns.
  Classification apply(std::span<const float> features) const;

  explicit Head(std::shared_ptr<const detail::HeadImpl> impl);
  const std::shared_ptr<const detail::HeadImpl>& shared_impl() const { return impl_; }

 private:
  std::shared_ptr<const detail::HeadImpl> impl_;
};

struct TrainedHead {
  Head head;
  TrainHeadReport report;
};

// Fits a head on `examples` (at least two distinct labels, at least one example per label and
// fold). InvalidArgument names the example or option at fault.
NIB_API TrainedHead train_head(const Model& model, std::span<const LabelledText> examples,
                               const TrainHeadOptions& options = {});

}  // namespace nib
