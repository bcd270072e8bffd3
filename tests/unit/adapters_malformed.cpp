// PEFT adapter folders that must be refused with an error naming the problem, and the PEFT rules
// (target regex, rank/alpha patterns, rsLoRA) that decide ranks and scales.
#include <doctest/doctest.h>

#include <nib/adapter.hpp>
#include <nib/error.hpp>
#include <nib/model.hpp>

#include <nlohmann/json.hpp>

#include "file_builders.hpp"
#include "runtime/adapter_impl.hpp"
#include "runtime/peft_config.hpp"
#include "shared_data.hpp"

using nib::Status;
using namespace nib::test;

namespace {

const char* kQ0 = "base_model.model.model.layers.0.self_attn.q_proj";

nlohmann::json base_config() {
  return {{"peft_type", "LORA"},     {"r", 4},
          {"lora_alpha", 8},         {"target_modules", {"q_proj", "v_proj"}},
          {"bias", "none"},          {"fan_in_fan_out", false},
          {"task_type", "CAUSAL_LM"}};
}

TensorSpec f32(const std::string& name, std::vector<std::int64_t> shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return {name, "F32", shape, f32_bytes(std::vector<float>(static_cast<std::size_t>(n), 0.01f))};
}

std::filesystem::path make_adapter(const std::string& name, const nlohmann::json& config,
                                   const std::vector<TensorSpec>& tensors) {
  auto dir = scratch_dir("adapters_malformed/" + name);
  write_file(dir / "adapter_config.json", config.dump());
  write_file(dir / "adapter_model.safetensors", safetensors_bytes(tensors));
  return dir;
}

std::vector<TensorSpec> good_tensors() {
  return {f32(std::string(kQ0) + ".lora_A.weight", {4, 64}),
          f32(std::string(kQ0) + ".lora_B.weight", {64, 4})};
}

void expect_error(const nib::Model& model, const std::filesystem::path& dir, Status status,
                  const std::string& needle) {
  try {
    nib::Adapter::load(model, dir);
    FAIL("expected an error for " << dir.string());
  } catch (const nib::Error& e) {
    CHECK_MESSAGE(e.status() == status, dir.filename().string() << ": " << e.what());
    CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos,
                  dir.filename().string() << ": \"" << e.what() << "\" should mention " << needle);
  }
}

}  // namespace

TEST_CASE("malformed adapters give clear errors") {
  auto model = nib::Model::load(shared_path("models/tiny-llama"));
  CHECK_NOTHROW(nib::Adapter::load(model, make_adapter("good", base_config(), good_tensors())));

  auto t = good_tensors();
  t[0] = f32(std::string(kQ0) + ".lora_A.weight", {4, 32});
  expect_error(model, make_adapter("wrong_shape_a", base_config(), t), Status::Format,
               "lora_A.weight\" has shape [4, 32]");
  t = good_tensors();
  t[1] = f32(std::string(kQ0) + ".lora_B.weight", {32, 4});
  expect_error(model, make_adapter("wrong_shape_b", base_config(), t), Status::Format,
               "lora_B.weight\" has shape");

  t = {f32("base_model.model.model.layers.0.self_attn.qq_proj.lora_A.weight", {4, 64}),
       f32("base_model.model.model.layers.0.self_attn.qq_proj.lora_B.weight", {64, 4})};
  expect_error(model, make_adapter("unknown_module", base_config(), t), Status::Format, "qq_proj");
  t = {f32("base_model.model.model.layers.7.self_attn.q_proj.lora_A.weight", {4, 64}),
       f32("base_model.model.model.layers.7.self_attn.q_proj.lora_B.weight", {64, 4})};
  expect_error(model, make_adapter("layer_out_of_range", base_config(), t), Status::Format, "layers.7");

  auto c = base_config();
  c.erase("r");
  expect_error(model, make_adapter("missing_r", c, good_tensors()), Status::Format, "\"r\"");
  c = base_config();
  c.erase("target_modules");
  expect_error(model, make_adapter("missing_targets", c, good_tensors()), Status::Format, "target_modules");
  c = base_config();
  c["r"] = 0;
  expect_error(model, make_adapter("rank_zero", c, good_tensors()), Status::Format, "rank 0");
  c = base_config();
  c["r"] = "four";
  expect_error(model, make_adapter("rank_string", c, good_tensors()), Status::Format, "\"r\"");
  c = base_config();
  c["peft_type"] = "IA3";
  expect_error(model, make_adapter("not_lora", c, good_tensors()), Status::Unsupported, "IA3");
  c = base_config();
  c["bias"] = "all";
  expect_error(model, make_adapter("bias_all", c, good_tensors()), Status::Unsupported, "bias");
  c = base_config();
  c["target_modules"] = {"k_proj"};
  expect_error(model, make_adapter("not_targeted", c, good_tensors()), Status::Format, "target_modules");
  c = base_config();
  c["target_modules"] = "([unclosed";
  expect_error(model, make_adapter("bad_regex", c, good_tensors()), Status::Format, "regular expression");
  c = base_config();
  c["r"] = 8;  // tensors carry rank 4
  expect_error(model, make_adapter("rank_mismatch", c, good_tensors()), Status::Format, "expected [8, 64]");

  t = good_tensors();
  t.pop_back();
  expect_error(model, make_adapter("missing_b", base_config(), t), Status::Format, "no lora_B");
  t = good_tensors();
  t[0].name = "model.layers.0.self_attn.q_proj.lora_A.weight";
  expect_error(model, make_adapter("no_prefix", base_config(), t), Status::Format, "base_model.model.");
  t = good_tensors();
  t.push_back(f32("base_model.model.model.norm.weight", {64}));
  expect_error(model, make_adapter("stray_tensor", base_config(), t), Status::Format, "model.norm.weight");
  t = good_tensors();
  t[0].dtype = "I32";
  expect_error(model, make_adapter("int_dtype", base_config(), t), Status::Format, "I32");
  expect_error(model, make_adapter("empty", base_config(), {}), Status::Format, "no LoRA weights");

  struct ConfigCase {
    const char* name;
    const char* key;
    nlohmann::json value;
    Status status;
    const char* needle;
  };
  const ConfigCase config_cases[] = {
      {"huge_rank", "r", 1 << 20, Status::Format, "rank 1048576 out of range [1, 4096]"},
      {"negative_rank", "r", -4, Status::Format, "rank -4 out of range"},
      {"alpha_string", "lora_alpha", "16", Status::Format, "\"lora_alpha\": expected a number, got string"},
      {"alpha_missing", "lora_alpha", nullptr, Status::Format, "\"lora_alpha\": missing required key"},
      {"peft_type_number", "peft_type", 1, Status::Format, "\"peft_type\": expected a string"},
      {"targets_number", "target_modules", 5, Status::Format, "\"target_modules\""},
      {"targets_mixed",
       "target_modules",
       {"q_proj", 3},
       Status::Format,
       "\"target_modules\": expected an array of strings"},
      {"layers_string", "layers_to_transform", "0", Status::Format,
       "\"layers_to_transform\": expected an integer or a list"},
      {"rank_pattern_huge",
       "rank_pattern",
       {{"q_proj", 100000}},
       Status::Format,
       "rank out of range [1, 4096]"},
      {"rank_pattern_type",
       "rank_pattern",
       {{"q_proj", "big"}},
       Status::Format,
       "\"q_proj\": expected an integer"},
      {"long_regex", "target_modules", std::string(100000, '('), Status::Format, "exceeds the limit of 512"},
      {"fan_in_fan_out_type", "fan_in_fan_out", "no", Status::Format,
       "\"fan_in_fan_out\": expected a boolean"},
      {"dora", "use_dora", true, Status::Unsupported, "DoRA"},
  };
  for (const auto& cc : config_cases) {
    auto cfg = base_config();
    if (cc.value.is_null()) {
      cfg.erase(cc.key);
    } else {
      cfg[cc.key] = cc.value;
    }
    expect_error(model, make_adapter(cc.name, cfg, good_tensors()), cc.status, cc.needle);
  }
  expect_error(model, make_adapter("config_not_object", nlohmann::json::array({1}), good_tensors()),
               Status::Format, "expected a JSON object, got array");
  t = good_tensors();
  t[1] = f32(std::string(kQ0) + ".lora_B.weight", {64, 4, 1});
  expect_error(model, make_adapter("b_three_dims", base_config(), t), Status::Format,
               "lora_B.weight\" has shape");

  auto dir = make_adapter("no_weights_file", base_config(), good_tensors());
  std::filesystem::remove(dir / "adapter_model.safetensors");
  expect_error(model, dir, Status::Io, "adapter_model.safetensors");
  dir = make_adapter("bad_json", base_config(), good_tensors());
  write_file(dir / "adapter_config.json", "{\"peft_type\": \"LORA\",");
  expect_error(model, dir, Status::Format, "invalid JSON");
}

TEST_CASE("an adapter for another architecture is refused naming the key") {
  auto gpt2 = nib::Model::load(shared_path("models/tiny-gpt2"));
  expect_error(gpt2, shared_path("models/tiny-llama/adapters/lora-a"), Status::Format,
               "base_model.model.model.layers.0.self_attn");
  auto bert = nib::Model::load(shared_path("models/tiny-bert"));
  expect_error(bert, shared_path("models/tiny-gpt2/adapters/lora-attn"), Status::Format, "c_attn");
}

TEST_CASE("PEFT targeting rules: regex targets, layers_to_transform, rank/alpha patterns, rsLoRA") {
  nlohmann::json j = {{"peft_type", "LORA"},
                      {"r", 8},
                      {"lora_alpha", 16},
                      {"target_modules", ".*\\.(q_proj|v_proj)"},
                      {"layers_to_transform", {1}},
                      {"rank_pattern", {{"v_proj", 4}}},
                      {"alpha_pattern", {{"layers.1.self_attn.v_proj", 2}}},
                      {"use_rslora", true}};
  auto cfg = nib::detail::parse_lora_config(j, "adapter_config.json");
  CHECK(cfg.targets("model.layers.1.self_attn.q_proj", 1));
  CHECK_FALSE(cfg.targets("model.layers.0.self_attn.q_proj", 0));
  CHECK_FALSE(cfg.targets("model.layers.1.self_attn.k_proj", 1));
  CHECK(cfg.rank_for("model.layers.1.self_attn.v_proj") == 4);
  CHECK(cfg.rank_for("model.layers.1.self_attn.q_proj") == 8);
  CHECK(cfg.alpha_for("model.layers.1.self_attn.v_proj") == 2);
  CHECK(cfg.scale_for("model.layers.1.self_attn.q_proj") == doctest::Approx(16.0 / std::sqrt(8.0)));
  CHECK(cfg.scale_for("model.layers.1.self_attn.v_proj") == doctest::Approx(2.0 / 2.0));
  j["use_rslora"] = false;
  CHECK(nib::detail::parse_lora_config(j, "x").scale_for("model.layers.1.self_attn.q_proj") ==
        doctest::Approx(2.0));
}

TEST_CASE("adapter names in keys and rank patterns load") {
  auto model = nib::Model::load(shared_path("models/tiny-llama"));
  auto c = base_config();
  c["rank_pattern"] = {{"q_proj", 2}};
  std::vector<TensorSpec> t = {f32(std::string(kQ0) + ".lora_A.default.weight", {2, 64}),
                               f32(std::string(kQ0) + ".lora_B.default.weight", {64, 2})};
  auto a = nib::Adapter::load(model, make_adapter("named_rank_pattern", c, t));
  CHECK(a.info().lora_modules == std::vector<std::string>{"model.layers.0.self_attn.q_proj"});
  CHECK(a.impl().deltas().at(0).rank == 2);
  CHECK(a.impl().deltas().at(0).scale == doctest::Approx(4.0));
}
