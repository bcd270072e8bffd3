// `--adapter DIR[:WEIGHT]` on the CLI gives the adapter goldens' numbers.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "io/json.hpp"
#include "logits_check.hpp"
#include "run_cli.hpp"
#include "shared_data.hpp"

TEST_CASE("nib classify --adapter matches the adapter golden") {
  auto base = nib::test::shared_path("models/tiny-bert");
  auto g = nib::io::read_json_file(base / "adapters/lora-a/golden/classification.json");
  const auto& c = g["single"][0];
  auto out =
      nib::test::run_cli("classify -m '" + base.string() + "' --adapter '" +
                         (base / "adapters/lora-a").string() + "' '" + c["text"].get<std::string>() + "'");
  auto j = nlohmann::json::parse(out);
  nib::test::check_close(nib::test::floats(j["logits"]), nib::test::floats(c["logits"]));
  CHECK(j["label"] == c["label"]);
}

TEST_CASE("nib logits --adapter DIR:WEIGHT, and a zero weight gives the base") {
  auto base = nib::test::shared_path("models/tiny-llama");
  auto g = nib::io::read_json_file(base / "adapters/lora-a/golden/causal_lm.json");
  auto gb = nib::io::read_json_file(base / "golden/causal_lm.json");
  const auto prompt = g["cases"][0]["prompt"].get<std::string>();
  const std::string common = "logits --json -m '" + base.string() + "' -p '" + prompt + "' --positions last";
  auto with = nlohmann::json::parse(
      nib::test::run_cli(common + " --adapter '" + (base / "adapters/lora-a").string() + ":1'"));
  CHECK(with["ids"] == g["cases"][0]["input_ids"]);
  const auto& rows = with["logits"];
  REQUIRE(rows.size() == 1);
  nib::test::check_close(nib::test::floats(rows.begin().value()),
                         nib::test::floats(g["cases"][0]["last_logits"]));
  auto zero = nlohmann::json::parse(
      nib::test::run_cli(common + " --adapter '" + (base / "adapters/lora-a").string() + ":0'"));
  nib::test::check_close(nib::test::floats(zero["logits"].begin().value()),
                         nib::test::floats(gb["cases"][0]["last_logits"]));
  nib::test::run_cli(common + " --adapter '" + (base / "adapters/lora-a").string() + ":x'", 1);
}
