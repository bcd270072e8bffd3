// nib train-head -m DIR --data FILE --out DIR [options]: trains a task head on the model's pooled
// embeddings (nib/head.hpp), prints progress to stderr and the cross-validation report to stdout
// (one JSON document with --json), and saves the head folder for `nib classify --head`.
#include <nib/head.hpp>
#include <nib/model.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "training_data.hpp"

namespace nib::cli {
namespace {

nlohmann::json report_json(const TrainedHead& t) {
  const auto& r = t.report;
  nlohmann::json folds = nlohmann::json::array();
  for (const auto& f : r.per_fold) {
    folds.push_back({{"train", f.train_examples},
                     {"test", f.test_examples},
                     {"accuracy", f.accuracy},
                     {"macro_f1", f.macro_f1},
                     {"iterations", f.iterations}});
  }
  return {{"labels", t.head.info().labels},
          {"examples", r.examples},
          {"features_computed", r.features_computed},
          {"folds", r.folds},
          {"cv_accuracy", r.cv_accuracy},
          {"cv_macro_f1", r.cv_macro_f1},
          {"confusion", r.confusion},
          {"per_fold", folds},
          {"iterations", r.iterations},
          {"converged", r.converged},
          {"train_loss", r.train_loss},
          {"feature_ms", r.feature_ms},
          {"fit_ms", r.fit_ms}};
}

void print_report(const TrainedHead& t) {
  const auto& r = t.report;
  const auto& labels = t.head.info().labels;
  std::printf("%lld examples, %zu labels; features %.0f ms (%lld computed), fits %.1f ms\n",
              static_cast<long long>(r.examples), labels.size(), r.feature_ms,
              static_cast<long long>(r.features_computed), r.fit_ms);
  if (r.folds > 0) {
    std::printf("%d-fold cross-validation: accuracy %.4f, macro-F1 %.4f\n", r.folds, r.cv_accuracy,
                r.cv_macro_f1);
    for (std::size_t i = 0; i < r.per_fold.size(); ++i) {
      const auto& f = r.per_fold[i];
      std::printf("  fold %zu: %lld test examples, accuracy %.4f, macro-F1 %.4f, %d iterations\n", i + 1,
                  static_cast<long long>(f.test_examples), f.accuracy, f.macro_f1, f.iterations);
    }
    if (!r.confusion.empty()) {
      std::printf("confusion (rows: true label, columns: predicted):\n");
      for (std::size_t i = 0; i < r.confusion.size(); ++i) {
        std::printf("  %-16s", labels[i].c_str());
        for (auto v : r.confusion[i]) std::printf(" %6lld", static_cast<long long>(v));
        std::printf("\n");
      }
    }
  }
  std::printf("final fit: %d iterations%s, loss %.6f\n", r.iterations, r.converged ? " (converged)" : "",
              r.train_loss);
}

Registrar train_head_command(45, [](CLI::App& app) {
  auto* cmd = app.add_subcommand("train-head",
                                 "Train a task head on labelled texts (TSV label<TAB>text or JSON lines)");
  struct State {
    SessionArgs args;
    std::string data, out;
    TrainHeadOptions options;
    bool balanced = false, json = false;
  };
  auto st = std::make_shared<State>();
  add_session_options(*cmd, st->args);
  cmd->add_option("--data", st->data, "Training data: TSV label<TAB>text, or JSON lines {\"text\",\"label\"}")
      ->required();
  cmd->add_option("--out", st->out, "Folder to write the head to")->required();
  cmd->add_option("--pooling", st->options.pooling, "mean, cls or last (default: the folder's, else mean)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Pooling>{
          {"mean", Pooling::Mean}, {"cls", Pooling::Cls}, {"last", Pooling::LastToken}}));
  cmd->add_flag("--normalize", st->options.normalize, "L2-normalise the embeddings");
  cmd->add_flag("--multi-label", st->options.multi_label, "Sigmoid per label (TSV: comma-separated labels)");
  cmd->add_option("--hidden", st->options.hidden_units,
                  "Hidden ReLU units (0: linear head, fitted by L-BFGS)");
  cmd->add_option("--l2", st->options.l2, "L2 penalty on standardised features");
  cmd->add_option("--folds", st->options.folds, "Cross-validation folds (0: none)");
  cmd->add_flag("--balanced", st->balanced, "Weigh classes inversely to their frequency");
  cmd->add_option("--validation", st->options.validation_fraction,
                  "Held-out fraction for early stopping (0: off)");
  cmd->add_option("--max-iter", st->options.max_iterations, "Optimiser iterations at most");
  cmd->add_option("--seed", st->options.seed, "Seed for folds, split and hidden-layer init");
  cmd->add_flag("--json", st->json, "Print the report as one JSON document");
  cmd->callback([st] {
    const auto examples = read_training_data(st->data, st->options.multi_label);
    const auto model = load_model(st->args);
    st->options.adapters = load_adapters(model, st->args);
    st->options.threads = st->args.threads;
    if (st->balanced) st->options.class_weighting = ClassWeighting::Balanced;
    int last = -1;
    st->options.progress = [&last](float p) {
      const int percent = static_cast<int>(p * 100);
      if (percent / 10 != last / 10)
        std::fprintf(stderr, "train-head: %s %d%%\n", p < 0.8f ? "features" : "fitting", percent);
      last = percent;
      return true;
    };
    const auto trained = train_head(model, examples, st->options);
    trained.head.save(st->out);
    if (st->json) {
      std::cout << report_json(trained).dump() << "\n";
    } else {
      print_report(trained);
      std::printf("saved %s\n", st->out.c_str());
    }
  });
});

}  // namespace
}  // namespace nib::cli
