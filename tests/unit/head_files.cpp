// Task head folders: the saved probabilities equal an independent computation (features from the
// `nib embed` command, weights parsed from head.safetensors here, softmax by hand); save/load round
// trips; a head refuses another base model; malformed files give named errors.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/head.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "file_builders.hpp"
#include "head_data.hpp"
#include "run_cli.hpp"
#include "shared_data.hpp"

namespace nib::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A minimal safetensors parse written for this test (not nib's reader): F32 tensors by name.
std::map<std::string, std::pair<std::vector<std::int64_t>, std::vector<double>>> parse_f32_safetensors(
    const fs::path& path) {
  const auto bytes = read_file(path);
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const auto header = json::parse(bytes.substr(8, n));
  std::map<std::string, std::pair<std::vector<std::int64_t>, std::vector<double>>> out;
  for (const auto& [name, t] : header.items()) {
    if (name == "__metadata__") continue;
    REQUIRE(t["dtype"] == "F32");
    const auto begin = t["data_offsets"][0].get<std::size_t>(), end = t["data_offsets"][1].get<std::size_t>();
    std::vector<double> values;
    for (std::size_t at = 8 + n + begin; at < 8 + n + end; at += 4) {
      float f;
      std::memcpy(&f, bytes.data() + at, 4);
      values.push_back(f);
    }
    out[name] = {t["shape"].get<std::vector<std::int64_t>>(), values};
  }
  return out;
}

struct Saved {
  fs::path dir;
  TrainedHead trained;
};

Saved train_and_save(const std::string& model_name, const std::string& dir_name, TrainHeadOptions o = {}) {
  const auto model = Model::load(shared_path("models/" + model_name));
  Saved s{scratch_dir(dir_name), train_head(model, synthetic_texts(3, 15, 1), o)};
  s.trained.head.save(s.dir);
  return s;
}

TEST_CASE("head probabilities equal features from nib embed, weights from the file, softmax by hand") {
  struct Case {
    const char* model;
    const char* pooling_flag;
    Pooling pooling;
    bool normalize;
  };
  for (const auto& c :
       {Case{"tiny-bert", "mean", Pooling::Mean, false}, Case{"tiny-roberta", "cls", Pooling::Cls, true},
        Case{"tiny-llama", "last", Pooling::LastToken, false},
        Case{"tiny-gpt2", "mean", Pooling::Mean, true}}) {
    CAPTURE(c.model);
    TrainHeadOptions o;
    o.pooling = c.pooling;
    o.normalize = c.normalize;
    const auto saved = train_and_save(c.model, std::string("head-independent-") + c.model, o);
    const auto config = json::parse(read_file(saved.dir / "head_config.json"));
    CHECK(config["pooling"] == std::string(c.pooling == Pooling::LastToken ? "last_token" : c.pooling_flag));
    CHECK(config["normalize"] == c.normalize);
    const auto tensors = parse_f32_safetensors(saved.dir / "head.safetensors");
    const auto& [w_shape, w] = tensors.at("classifier.weight");
    const auto& b = tensors.at("classifier.bias").second;
    REQUIRE(w_shape.size() == 2);
    const auto k = static_cast<std::size_t>(w_shape[0]), d = static_cast<std::size_t>(w_shape[1]);

    const auto model = Model::load(shared_path(std::string("models/") + c.model));
    Session session(model);
    session.set_head(Head::load(saved.dir, model));
    for (const auto& text :
         {std::string("the cat and a dog"), std::string("bread with honey"), std::string("my bus")}) {
      CAPTURE(text);
      const auto out = json::parse(
          run_cli("embed -m " + shared_path(std::string("models/") + c.model).string() + " --pooling " +
                  c.pooling_flag + (c.normalize ? " --normalize " : " ") + "\"" + text + "\""));
      const auto x = out["embedding"].get<std::vector<double>>();
      REQUIRE(x.size() == d);
      std::vector<double> z(k), p(k);
      double sum = 0;
      for (std::size_t r = 0; r < k; ++r) {
        z[r] = b[r];
        for (std::size_t j = 0; j < d; ++j) z[r] += w[r * d + j] * x[j];
      }
      const double m = *std::max_element(z.begin(), z.end());
      for (std::size_t r = 0; r < k; ++r) sum += p[r] = std::exp(z[r] - m);
      const auto got = session.classify(text);
      REQUIRE(got.scores.size() == k);
      for (std::size_t r = 0; r < k; ++r) {
        CHECK(std::abs(got.scores[r] - p[r] / sum) < 1e-5);
        CHECK(std::abs(got.logits[r] - z[r]) < 1e-4);
      }
      CHECK(got.labels == config["labels"].get<std::vector<std::string>>());
    }
  }
}

TEST_CASE("a saved head loads back with the same scores; a hidden-layer head too") {
  for (int hidden : {0, 8}) {
    CAPTURE(hidden);
    TrainHeadOptions o;
    o.hidden_units = hidden;
    o.max_iterations = 100;
    const auto saved = train_and_save("tiny-bert", "head-roundtrip-" + std::to_string(hidden), o);
    const auto model = Model::load(shared_path("models/tiny-bert"));
    const auto loaded = Head::load(saved.dir, model);
    CHECK(loaded.info().path == saved.dir);
    CHECK(loaded.info().hidden_units == hidden);
    CHECK(loaded.info().base_checksum == model.weights_checksum());
    const auto x = Session(model).embed("a cat on a boat", {Pooling::Mean, false});
    CHECK(loaded.apply(x).scores == saved.trained.head.apply(x).scores);
  }
}

TEST_CASE("a head refuses another base model") {
  const auto saved = train_and_save("tiny-bert", "head-wrong-base");
  SUBCASE("another architecture") {
    const auto other = Model::load(shared_path("models/tiny-distilbert"));
    try {
      Head::load(saved.dir, other);
      FAIL("loaded");
    } catch (const Error& e) {
      CHECK(e.status() == Status::InvalidArgument);
      CHECK(std::string(e.what()).find("was trained on a BertForSequenceClassification model") !=
            std::string::npos);
    }
    Session s(other);
    CHECK_THROWS_AS(s.set_head(saved.trained.head), Error);
  }
  SUBCASE("same architecture, other weights") {
    const auto copy = scratch_dir("head-wrong-base-model");
    copy_model_folder(shared_path("models/tiny-bert"), copy);
    auto bytes = read_file(copy / "model.safetensors");
    bytes[bytes.size() - 1] ^= 0x01;  // one bit of the last tensor's last value
    fs::remove(copy / "model.safetensors");
    write_file(copy / "model.safetensors", bytes);
    const auto changed = Model::load(copy);
    CHECK(changed.weights_checksum() != Model::load(shared_path("models/tiny-bert")).weights_checksum());
    try {
      Head::load(saved.dir, changed);
      FAIL("loaded");
    } catch (const Error& e) {
      CHECK(e.status() == Status::InvalidArgument);
      CHECK(std::string(e.what()).find("was trained on other weights") != std::string::npos);
    }
  }
}

TEST_CASE("weights checksum is stable across loads and shaped as 16 hex digits") {
  const auto a = Model::load(shared_path("models/tiny-llama")).weights_checksum();
  CHECK(a == Model::load(shared_path("models/tiny-llama")).weights_checksum());
  CHECK(a.size() == 16);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != Model::load(shared_path("models/tiny-gpt2")).weights_checksum());
}

TEST_CASE("malformed head files give named errors") {
  const auto saved = train_and_save("tiny-bert", "head-malformed-source");
  const auto model = Model::load(shared_path("models/tiny-bert"));
  const auto good_config = json::parse(read_file(saved.dir / "head_config.json"));
  const auto good_weights = read_file(saved.dir / "head.safetensors");
  const auto tensors = parse_f32_safetensors(saved.dir / "head.safetensors");
  auto weights_with = [&](const std::function<void(std::vector<TensorSpec>&)>& edit) {
    std::vector<TensorSpec> specs;
    for (const auto& [name, t] : tensors) {
      std::vector<float> f(t.second.begin(), t.second.end());
      specs.push_back({name, "F32", t.first, f32_bytes(f)});
    }
    edit(specs);
    return safetensors_bytes(specs);
  };
  struct Case {
    std::string name;
    std::string config;   // empty: the good one
    std::string weights;  // empty: the good one
    Status status;
    std::string needle;
  };
  auto config_with = [&](const std::function<void(json&)>& edit) {
    auto c = good_config;
    edit(c);
    return c.dump();
  };
  const float nan = std::nanf("");
  const std::vector<Case> cases = {
      {"bad json", "{\"labels\": [", "", Status::Format, "head_config.json"},
      {"not a head", config_with([](json& c) { c["format"] = "peft"; }), "", Status::Format, "format"},
      {"future version", config_with([](json& c) { c["version"] = 7; }), "", Status::Unsupported,
       "version 7"},
      {"no labels", config_with([](json& c) { c.erase("labels"); }), "", Status::Format, "labels"},
      {"one label", config_with([](json& c) { c["labels"] = {"a"}; }), "", Status::Format,
       "at least two labels"},
      {"repeated label", config_with([](json& c) {
         c["labels"] = {"a", "b", "a"};
       }),
       "", Status::Format, "repeats"},
      {"unknown pooling", config_with([](json& c) { c["pooling"] = "max"; }), "", Status::Format, "pooling"},
      {"bad output", config_with([](json& c) { c["output"] = "tanh"; }), "", Status::Format, "output"},
      {"feature dim", config_with([](json& c) { c["feature_dim"] = 0; }), "", Status::Format, "feature_dim"},
      {"no base", config_with([](json& c) { c.erase("base_model"); }), "", Status::Format, "base_model"},
      {"feature dim vs tensor", config_with([](json& c) { c["feature_dim"] = 65; }), "", Status::Format,
       "classifier.weight [3, 64] F32 should be classifier.weight [3, 65] F32"},
      {"missing tensor", "",
       weights_with([](auto& s) { std::erase_if(s, [](auto& t) { return t.name == "classifier.bias"; }); }),
       Status::Format, "tensor classifier.bias is missing"},
      {"extra tensor", "", weights_with([](auto& s) {
         s.push_back({"extra", "F32", {1}, f32_bytes({1.f})});
       }),
       Status::Format, "unexpected tensor extra"},
      {"integer tensor", "", weights_with([](auto& s) {
         s[0] = {"classifier.bias", "I32", {3}, std::vector<std::uint8_t>(12, 0)};
       }),
       Status::Format, "not a float tensor"},
      {"non-finite value", "", weights_with([&](auto& s) {
         s[0] = {"classifier.bias", "F32", {3}, f32_bytes({0.f, nan, 0.f})};
       }),
       Status::Format, "non-finite"},
      {"truncated weights", "", good_weights.substr(0, good_weights.size() / 2), Status::Format,
       "head.safetensors"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto dir = scratch_dir("head-malformed");
    write_file(dir / "head_config.json", c.config.empty() ? good_config.dump() : c.config);
    write_file(dir / "head.safetensors", c.weights.empty() ? good_weights : c.weights);
    try {
      Head::load(dir, model);
      FAIL("loaded");
    } catch (const Error& e) {
      CHECK(e.status() == c.status);
      CHECK_MESSAGE(std::string(e.what()).find(c.needle) != std::string::npos, e.what());
    }
  }
  SUBCASE("missing files") {
    const auto dir = scratch_dir("head-missing");
    CHECK_THROWS_WITH_AS(Head::load(dir, model), doctest::Contains("head_config.json: no such file"), Error);
    write_file(dir / "head_config.json", good_config.dump());
    CHECK_THROWS_AS(Head::load(dir, model), Error);
  }
}

}  // namespace
}  // namespace nib::test
