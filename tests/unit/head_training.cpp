// Task heads trained on the shared tiny models: a synthetic task with a known answer (disjoint word
// lists per class) is learnt to 100% on held-out texts by every architecture, shuffled labels stay
// at chance, training is deterministic for a seed, features are cached, and a head composes with
// a LoRA adapter.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/head.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <algorithm>
#include <random>

#include "head_data.hpp"
#include "shared_data.hpp"

namespace nib::test {
namespace {

double held_out_accuracy(Session& s, const std::vector<LabelledText>& test) {
  std::vector<std::string> texts;
  for (const auto& e : test) texts.push_back(e.text);
  const auto results = s.classify(texts);
  int right = 0;
  for (std::size_t i = 0; i < test.size(); ++i) right += results[i].label == test[i].labels[0];
  return static_cast<double>(right) / static_cast<double>(test.size());
}

TEST_CASE("a head learns disjoint word lists on every tiny architecture") {
  const auto train = synthetic_texts(3, 40, 1);
  const auto test = synthetic_texts(3, 20, 2);
  for (const std::string name : {"tiny-bert", "tiny-distilbert", "tiny-roberta", "tiny-llama", "tiny-gpt2"}) {
    CAPTURE(name);
    const auto model = Model::load(shared_path("models/" + name));
    TrainHeadOptions o;
    o.pooling = model.info().kind == ModelKind::CausalLM ? Pooling::Mean : Pooling::Auto;
    const auto trained = train_head(model, train, o);
    CHECK(trained.head.info().labels == class_names());
    CHECK(trained.head.info().feature_dim == model.info().hidden_size);
    CHECK(trained.report.examples == 120);
    CHECK(trained.report.folds == 5);
    CHECK(trained.report.per_fold.size() == 5);
    CHECK(trained.report.cv_accuracy >= 0.9);
    CHECK(trained.report.converged);
    std::int64_t total = 0;
    for (const auto& row : trained.report.confusion) {
      for (auto v : row) total += v;
    }
    CHECK(total == 120);  // every example predicted once out of fold
    Session s(model);
    s.set_head(trained.head);
    CHECK(held_out_accuracy(s, test) == 1.0);
    s.clear_head();
    if (model.info().kind == ModelKind::Encoder) {  // back to the model's own classifier
      CHECK(s.classify(test[0].text).labels == model.info().labels);
    }
  }
}

TEST_CASE("shuffled labels stay near chance") {
  const auto model = Model::load(shared_path("models/tiny-bert"));
  auto train = synthetic_texts(2, 100, 3);  // 200 examples, two balanced classes: chance is 0.5
  auto test = synthetic_texts(2, 100, 4);
  std::mt19937 rng(7);
  for (auto* set : {&train, &test}) {
    std::vector<std::vector<std::string>> labels;
    for (const auto& e : *set) labels.push_back(e.labels);
    std::shuffle(labels.begin(), labels.end(), rng);
    for (std::size_t i = 0; i < set->size(); ++i) (*set)[i].labels = labels[i];
  }
  const auto trained = train_head(model, train);
  // 200 Bernoulli(0.5) trials: sd 0.035, so [0.35, 0.65] is over 4 sd; the unshuffled task is 1.0.
  CHECK(trained.report.cv_accuracy > 0.35);
  CHECK(trained.report.cv_accuracy < 0.65);
  Session s(model);
  s.set_head(trained.head);
  const double acc = held_out_accuracy(s, test);
  CHECK(acc > 0.35);
  CHECK(acc < 0.65);
}

TEST_CASE("training is deterministic for a seed and reuses cached features") {
  const auto model = Model::load(shared_path("models/tiny-distilbert"));
  const auto train = synthetic_texts(3, 12, 5);
  TrainHeadOptions o;
  o.hidden_units = 16;
  o.max_iterations = 200;
  o.seed = 42;
  const auto a = train_head(model, train, o);
  const auto b = train_head(model, train, o);
  CHECK(a.report.features_computed == 36);
  CHECK(b.report.features_computed == 0);  // from the model's feature cache
  CHECK(a.report.cv_accuracy == b.report.cv_accuracy);
  CHECK(a.report.confusion == b.report.confusion);
  CHECK(a.report.train_loss == b.report.train_loss);
  const auto probe = Session(model).embed(train[0].text, {a.head.info().pooling, a.head.info().normalize});
  CHECK(a.head.apply(probe).scores == b.head.apply(probe).scores);
  o.seed = 43;
  const auto c = train_head(model, train, o);
  CHECK(c.head.apply(probe).logits != a.head.apply(probe).logits);  // the seed changes the init
}

TEST_CASE("multi-label, hidden-layer, balanced and early-stopped heads learn the task") {
  const auto model = Model::load(shared_path("models/tiny-bert"));
  SUBCASE("multi-label") {
    // Each text holds words of one or two classes; its labels are exactly those classes.
    std::mt19937 rng(11);
    auto make = [&](int n) {
      std::vector<LabelledText> out;
      for (int i = 0; i < n; ++i) {
        const int a = static_cast<int>(rng() % 3), b = static_cast<int>(rng() % 3);
        std::string text;
        for (int w = 0; w < 24; ++w) {
          const auto& words = class_words()[static_cast<std::size_t>(w % 2 ? b : a)];
          text += (w ? " " : "") + words[rng() % words.size()];
        }
        std::vector<std::string> labels = {class_names()[static_cast<std::size_t>(a)]};
        if (b != a) labels.push_back(class_names()[static_cast<std::size_t>(b)]);
        out.push_back({text, labels});
      }
      return out;
    };
    const auto train = make(150), test = make(60);
    TrainHeadOptions o;
    o.multi_label = true;
    const auto trained = train_head(model, train, o);
    CHECK(trained.head.info().multi_label);
    CHECK(trained.report.confusion.empty());
    CHECK(trained.report.cv_macro_f1 > 0.9);
    Session s(model);
    s.set_head(trained.head);
    int right = 0;
    for (const auto& e : test) {
      const auto c = s.classify(e.text);
      std::vector<std::string> predicted;
      for (std::size_t k = 0; k < c.labels.size(); ++k) {
        if (c.scores[k] > 0.5f) predicted.push_back(c.labels[k]);
      }
      auto want = e.labels;
      std::sort(want.begin(), want.end());
      right += predicted == want;
    }
    CHECK(right >= 57);  // >= 95% of label sets exactly right
  }
  SUBCASE("hidden layer") {
    TrainHeadOptions o;
    o.hidden_units = 32;
    o.max_iterations = 300;
    const auto trained = train_head(model, synthetic_texts(3, 40, 1), o);
    CHECK(trained.head.info().hidden_units == 32);
    Session s(model);
    s.set_head(trained.head);
    CHECK(held_out_accuracy(s, synthetic_texts(3, 20, 2)) == 1.0);
  }
  SUBCASE("imbalanced classes with balanced weights, early stopping") {
    auto train = synthetic_texts(2, 40, 8);
    std::erase_if(train,
                  [n = 0](const LabelledText& e) mutable { return e.labels[0] == "food" && n++ % 4 != 0; });
    TrainHeadOptions o;
    o.class_weighting = ClassWeighting::Balanced;
    o.validation_fraction = 0.25;
    o.patience = 5;
    o.max_iterations = 500;
    const auto trained = train_head(model, train, o);
    CHECK(trained.report.iterations < 500);
    Session s(model);
    s.set_head(trained.head);
    CHECK(held_out_accuracy(s, synthetic_texts(2, 20, 9)) == 1.0);
  }
}

TEST_CASE("a head composes with a LoRA adapter") {
  const auto model = Model::load(shared_path("models/tiny-bert"));
  const auto adapter = Adapter::load(model, shared_path("models/tiny-bert/adapters/lora-a"));
  TrainHeadOptions o;
  o.adapters = {{adapter, 1.f}};
  const auto train = synthetic_texts(3, 20, 1);
  const auto trained = train_head(model, train, o);
  CHECK(trained.report.features_computed == 60);  // features under an adapter are never cached
  Session s(model);
  s.use_adapters(o.adapters);
  s.set_head(trained.head);
  const auto text = synthetic_texts(3, 1, 99)[0].text;
  const auto with = s.classify(text);
  const auto features = s.embed(text, {trained.head.info().pooling, trained.head.info().normalize});
  CHECK(with.scores == trained.head.apply(features).scores);
  s.clear_adapters();  // the same head on the base model's features gives other numbers
  CHECK(s.classify(text).logits != with.logits);
}

TEST_CASE("train_head rejects impossible examples and options") {
  const auto model = Model::load(shared_path("models/tiny-bert"));
  const auto ok = synthetic_texts(2, 5, 1);
  auto fails = [&](std::vector<LabelledText> examples, TrainHeadOptions o, const std::string& needle) {
    CAPTURE(needle);
    try {
      train_head(model, examples, o);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.status() == Status::InvalidArgument);
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  fails({}, {}, "no examples");
  auto two = ok;
  two[3].labels.push_back("food");
  fails(two, {}, "example 3 has 2 labels");
  auto one = ok;
  for (auto& e : one) e.labels = {"animal"};
  fails(one, {}, "at least two distinct labels");
  auto empty = ok;
  empty[1].labels = {""};
  fails(empty, {}, "example 1 has an empty label");
  fails(ok, {.folds = 11}, "folds (11) exceeds the 10 examples");
  fails(ok, {.folds = 1}, "folds must be 0");
  fails(ok, {.l2 = -1}, "l2");
  fails(ok, {.hidden_units = -2}, "hidden_units");
  fails(ok, {.validation_fraction = 0.9}, "validation_fraction");
  TrainHeadOptions cancel;
  cancel.progress = [](float p) { return p < 0.5f; };
  CHECK_THROWS_AS(train_head(model, ok, cancel), Error);
}

}  // namespace
}  // namespace nib::test
