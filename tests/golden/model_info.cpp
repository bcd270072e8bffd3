// Every folder under ../shared/models loads and reports the architecture and dimensions of its
// config (values from models/README.md), both through the API and through `nib info --json`.
#include <doctest/doctest.h>

#include <nib/model.hpp>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"
#include "shared_data.hpp"

namespace {

struct Expected {
  const char* folder;
  const char* architecture;
  const char* kind;
  std::int64_t hidden, layers, heads, kv_heads, vocab, context;
  const char* tokenizer;
  std::vector<std::string> labels;
};

const std::vector<Expected> kModels = {
    {"stories260K", "LlamaForCausalLM", "causal-lm", 64, 5, 8, 4, 512, 512, "sentencepiece", {}},
    {"tiny-llama", "LlamaForCausalLM", "causal-lm", 64, 2, 4, 2, 512, 256, "sentencepiece", {}},
    {"tiny-gpt2", "GPT2LMHeadModel", "causal-lm", 64, 2, 4, 4, 50257, 256, "tokenizer.json", {}},
    {"tiny-bert",
     "BertForSequenceClassification",
     "encoder",
     64,
     2,
     4,
     4,
     30522,
     512,
     "tokenizer.json",
     {"negative", "neutral", "positive"}},
    {"tiny-bert-mlm", "BertForMaskedLM", "encoder", 64, 2, 4, 4, 30522, 512, "tokenizer.json", {}},
    {"tiny-distilbert",
     "DistilBertForSequenceClassification",
     "encoder",
     64,
     2,
     4,
     4,
     30522,
     512,
     "tokenizer.json",
     {"LABEL_0", "LABEL_1"}},
    {"tiny-roberta",
     "RobertaForSequenceClassification",
     "encoder",
     64,
     2,
     4,
     4,
     50265,
     514,
     "bpe-vocab",
     {"LABEL_0", "LABEL_1"}},
};

nlohmann::json run_cli_info(const std::filesystem::path& dir) {
  return nlohmann::json::parse(nib::test::run_cli("info --json -m '" + dir.string() + "'"));
}

}  // namespace

TEST_CASE("every shared model folder is described correctly") {
  auto models = nib::test::shared_dir() / "models";
  std::size_t seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(models)) {
    if (e.is_directory()) ++seen;
  }
  CHECK_MESSAGE(seen == kModels.size(), "a new folder under shared/models needs an entry here");
  for (const auto& want : kModels) {
    CAPTURE(want.folder);
    auto info = nib::Model::load(models / want.folder).info();
    CHECK(info.architecture == want.architecture);
    CHECK(std::string(nib::kind_name(info.kind)) == want.kind);
    CHECK(info.hidden_size == want.hidden);
    CHECK(info.num_layers == want.layers);
    CHECK(info.num_heads == want.heads);
    CHECK(info.num_kv_heads == want.kv_heads);
    CHECK(info.vocab_size == want.vocab);
    CHECK(info.max_positions == want.context);
    CHECK(info.tokenizer_kind == want.tokenizer);
    CHECK(info.labels == want.labels);
    CHECK(info.dtypes == std::vector<std::string>{"F32"});
    CHECK(info.parameter_count > 100000);

    auto j = run_cli_info(models / want.folder);
    CHECK(j["architecture"] == want.architecture);
    CHECK(j["kind"] == want.kind);
    CHECK(j["hidden_size"] == want.hidden);
    CHECK(j["num_layers"] == want.layers);
    CHECK(j["vocab_size"] == want.vocab);
    CHECK(j["context_length"] == want.context);
    CHECK(j["parameter_count"] == info.parameter_count);
  }
}

TEST_CASE("stories260K parameter count is the sum of its tensors") {
  auto info = nib::Model::load(nib::test::shared_path("models/stories260K")).info();
  // 512×64 embeddings (tied) + 5 layers × (4 attention + 3 MLP + 2 norms) + final norm.
  std::int64_t per_layer = 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 172 + 2 * 64;
  CHECK(info.parameter_count == 512 * 64 + 5 * per_layer + 64);
}
