// config.json → typed ModelConfig: key mapping per family, and errors that name the key.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/model.hpp>

#include "file_builders.hpp"
#include "io/hf_folder.hpp"
#include "io/model_config.hpp"
#include "shared_data.hpp"

using nib::Status;
using nib::io::Json;

namespace {

nib::io::ModelConfig parse(const std::string& text) {
  return nib::io::parse_model_config(Json::parse(text), "config.json");
}

void expect_error(const std::string& text, Status status, const std::string& needle) {
  try {
    parse(text);
    FAIL("expected an error for " << text);
  } catch (const nib::Error& e) {
    CHECK_MESSAGE(e.status() == status, e.what());
    CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos,
                  "\"" << e.what() << "\" should mention " << needle);
  }
}

const char* kLlama = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":64,
  "intermediate_size":176,"num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":2,
  "vocab_size":512,"max_position_embeddings":256,"rms_norm_eps":1e-5,"eos_token_id":2})";

}  // namespace

TEST_CASE("config: Llama family keys") {
  auto c = parse(kLlama);
  CHECK(c.family == nib::io::Family::Llama);
  CHECK(c.kind == nib::ModelKind::CausalLM);
  CHECK(c.head_dim == 16);
  CHECK(c.num_kv_heads == 2);
  CHECK(c.eos_token_ids == std::vector<std::int64_t>{2});
  CHECK_FALSE(c.rope_scaling.has_value());
}

TEST_CASE("config: rope scaling, sliding window, qwen2 biases, eos lists") {
  auto j = Json::parse(kLlama);
  j["rope_scaling"] = {{"rope_type", "llama3"},
                       {"factor", 8.0},
                       {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  j["eos_token_id"] = {128001, 128009};
  auto c = nib::io::parse_model_config(j, "config.json");
  REQUIRE(c.rope_scaling.has_value());
  CHECK(c.rope_scaling->type == "llama3");
  CHECK(c.rope_scaling->original_max_positions == 8192);
  CHECK(c.eos_token_ids == std::vector<std::int64_t>{128001, 128009});

  j = Json::parse(kLlama);
  j["architectures"] = {"MistralForCausalLM"};
  j["model_type"] = "mistral";
  j["sliding_window"] = 4096;
  CHECK(nib::io::parse_model_config(j, "config.json").sliding_window == 4096);

  j = Json::parse(kLlama);
  j["architectures"] = {"Qwen2ForCausalLM"};
  j["model_type"] = "qwen2";
  auto q = nib::io::parse_model_config(j, "config.json");
  CHECK(q.attention_bias);
  CHECK_FALSE(q.attention_out_bias);

  Json gen = {{"eos_token_id", {7, 8}}};
  CHECK(nib::io::parse_model_config(Json::parse(kLlama), "config.json", &gen).eos_token_ids ==
        std::vector<std::int64_t>{7, 8});
}

TEST_CASE("config: labels from id2label in id order, defaults otherwise") {
  auto c = parse(R"({"architectures":["BertForSequenceClassification"],"model_type":"bert","hidden_size":64,
    "num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":128,"vocab_size":100,
    "max_position_embeddings":512,"id2label":{"1":"pos","0":"neg"},"problem_type":"multi_label_classification"})");
  CHECK(c.labels == std::vector<std::string>{"neg", "pos"});
  CHECK(c.problem_type == "multi_label_classification");
  CHECK(c.head == nib::HeadKind::SequenceClassification);
  auto d = parse(R"({"architectures":["BertForSequenceClassification"],"model_type":"bert","hidden_size":64,
    "num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":128,"vocab_size":100,
    "max_position_embeddings":512})");
  CHECK(d.labels == std::vector<std::string>{"LABEL_0", "LABEL_1"});
}

TEST_CASE("config: missing keys, wrong types and unsupported values name the key") {
  expect_error(R"({"architectures":["LlamaForCausalLM"],"model_type":"llama"})", Status::Format,
               "\"hidden_size\"");
  expect_error(R"({"architectures":["LlamaForCausalLM"]})", Status::Format, "\"model_type\"");
  auto j = Json::parse(kLlama);
  j["hidden_size"] = "64";
  expect_error(j.dump(), Status::Format, "\"hidden_size\": expected an integer, got string");
  j = Json::parse(kLlama);
  j["rms_norm_eps"] = true;
  expect_error(j.dump(), Status::Format, "\"rms_norm_eps\"");
  j = Json::parse(kLlama);
  j["num_hidden_layers"] = -3;
  expect_error(j.dump(), Status::Format, "\"num_hidden_layers\"");
  j = Json::parse(kLlama);
  j["num_key_value_heads"] = 3;
  expect_error(j.dump(), Status::Format, "num_key_value_heads");
  j = Json::parse(kLlama);
  j["architectures"] = "LlamaForCausalLM";
  expect_error(j.dump(), Status::Format, "\"architectures\"");
  j = Json::parse(kLlama);
  j["architectures"] = {"T5ForConditionalGeneration"};
  j["model_type"] = "t5";
  expect_error(j.dump(), Status::Unsupported, "T5ForConditionalGeneration");
  j = Json::parse(kLlama);
  j["hidden_act"] = "swiglu-9000";
  expect_error(j.dump(), Status::Unsupported, "swiglu-9000");
  j = Json::parse(kLlama);
  j["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}};
  expect_error(j.dump(), Status::Unsupported, "yarn");
  j = Json::parse(kLlama);
  j["rope_scaling"] = {{"type", "linear"}};
  expect_error(j.dump(), Status::Format, "\"factor\"");
  j = Json::parse(kLlama);
  j["id2label"] = {{"zero", "a"}};
  expect_error(j.dump(), Status::Format, "id2label");
  j = Json::parse(kLlama);
  j["eos_token_id"] = {"</s>"};
  expect_error(j.dump(), Status::Format, "eos_token_id");
  expect_error("[1,2]", Status::Format, "expected a JSON object");
}

TEST_CASE("config: hostile dimensions and types name the key") {
  struct Case {
    const char* key;
    Json value;  // null: erase the key
    Status status;
    const char* needle;
  };
  const Case cases[] = {
      {"hidden_size", 0, Status::Format, "\"hidden_size\": value 0 out of range"},
      {"hidden_size", -64, Status::Format, "\"hidden_size\": value -64 out of range"},
      {"hidden_size", 1LL << 40, Status::Format,
       "\"hidden_size\": value 1099511627776 out of range [1, 65536]"},
      {"hidden_size", 66, Status::Format, "hidden_size 66 is not a multiple of 4 heads"},
      {"hidden_size", 64.5, Status::Format, "\"hidden_size\": expected an integer, got number"},
      {"hidden_size", Json::array({64}), Status::Format, "\"hidden_size\": expected an integer, got array"},
      {"num_attention_heads", 0, Status::Format, "\"num_attention_heads\": value 0 out of range"},
      {"num_hidden_layers", 100000, Status::Format,
       "\"num_hidden_layers\": value 100000 out of range [1, 4096]"},
      {"intermediate_size", 0, Status::Format, "\"intermediate_size\""},
      {"vocab_size", 1LL << 32, Status::Format, "\"vocab_size\": value 4294967296 out of range"},
      {"max_position_embeddings", 1LL << 31, Status::Format, "\"max_position_embeddings\""},
      {"num_key_value_heads", 8, Status::Format, "num_key_value_heads"},
      {"head_dim", 15, Status::Format, "\"head_dim\": must be even"},
      {"rms_norm_eps", 0, Status::Format, "norm eps"},
      {"rope_theta", -1.0, Status::Format, "\"rope_theta\": must be positive"},
      {"architectures", Json::array(), Status::Format, "\"architectures\": empty list"},
      {"architectures", Json::array({7}), Status::Format, "\"architectures\": expected an array of strings"},
      {"model_type", 3, Status::Format, "\"model_type\": expected a string"},
      {"tie_word_embeddings", "yes", Status::Format, "\"tie_word_embeddings\": expected a boolean"},
      {"rope_scaling", "linear", Status::Format, "\"rope_scaling\": expected an object"},
      {"vocab_size", nullptr, Status::Format, "\"vocab_size\": missing required key"},
  };
  for (const auto& c : cases) {
    auto j = Json::parse(kLlama);
    if (c.value.is_null()) {
      j.erase(c.key);
    } else {
      j[c.key] = c.value;
    }
    CAPTURE(c.key);
    expect_error(j.dump(), c.status, c.needle);
  }
  // Without "architectures" the model_type picks the bare model; an unknown one is named.
  auto j = Json::parse(kLlama);
  j.erase("architectures");
  j["model_type"] = "mamba";
  expect_error(j.dump(), Status::Unsupported, "model_type \"mamba\" is not supported");
  // BERT: heads must divide the hidden size.
  expect_error(R"({"architectures":["BertModel"],"model_type":"bert","hidden_size":64,"num_hidden_layers":2,
    "num_attention_heads":5,"intermediate_size":128,"vocab_size":100,"max_position_embeddings":512})",
               Status::Format, "hidden size 64 is not a multiple of 5 heads");
}

TEST_CASE("config: JSON that nests too deep or repeats a key is refused by the reader") {
  for (const auto& [text, needle] : std::initializer_list<std::pair<std::string, std::string>>{
           {R"({"hidden_size":64,"hidden_size":4096})", "duplicate key \"hidden_size\""},
           {"{\"a\":" + std::string(65, '[') + std::string(65, ']') + "}", "nested deeper than 64 levels"},
           {std::string(1000000, '['), "nested deeper than 64 levels"},
       }) {
    try {
      nib::io::parse_json(text, "config.json");
      FAIL("accepted " << text.substr(0, 80));
    } catch (const nib::Error& e) {
      CHECK(e.status() == Status::Format);
      CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
      CHECK(std::string(e.what()).find("config.json") != std::string::npos);
    }
  }
}

TEST_CASE("folder: no config.json, invalid JSON, not a directory") {
  auto dir = nib::test::scratch_dir("io_folder");
  CHECK_THROWS_WITH_AS(nib::Model::load(dir), doctest::Contains("no config.json"), nib::Error);
  CHECK_THROWS_WITH_AS(nib::Model::load(dir / "nope"), doctest::Contains("not a directory"), nib::Error);
  nib::test::write_file(dir / "config.json", "{\"model_type\": ");
  try {
    nib::Model::load(dir);
    FAIL("expected an error");
  } catch (const nib::Error& e) {
    CHECK(e.status() == Status::Format);
    CHECK(std::string(e.what()).find("config.json") != std::string::npos);
  }
  nib::test::write_file(dir / "config.json", kLlama);
  try {
    nib::Model::load(dir);
    FAIL("expected an error");
  } catch (const nib::Error& e) {
    CHECK(e.status() == Status::Io);
    CHECK(std::string(e.what()).find("model.safetensors") != std::string::npos);
  }
}
