// The CLI's choose, chat and generate --chat give what the Session API gives.
#include <doctest/doctest.h>

#include <cmath>

#include <nib/model.hpp>
#include <nib/session.hpp>

#include <nlohmann/json.hpp>

#include "chat_model.hpp"
#include "file_builders.hpp"
#include "run_cli.hpp"
#include "shared_data.hpp"

namespace {

const std::string kStory = "Once upon a time, there was a little girl named Lily. She";

TEST_CASE("nib choose --json agrees with Session::choose") {
  const auto dir = nib::test::shared_path("models/stories260K");
  const std::vector<std::string> choices{" loved to play with her toys.", " went to the park.",
                                         " car the blue."};
  nib::Session session(nib::Model::load(dir));
  for (const bool mean : {false, true}) {
    CAPTURE(mean);
    std::string args = "choose --json -m '" + dir.string() + "' -p '" + kStory + "'";
    for (const auto& c : choices) args += " --choice '" + c + "'";
    if (mean) args += " --mean";
    const auto j = nlohmann::json::parse(nib::test::run_cli(args));
    nib::ChooseOptions options;
    options.normalization = mean ? nib::LengthNormalization::Mean : nib::LengthNormalization::Sum;
    const auto want = session.choose(kStory, choices, options);
    CHECK(j["normalization"] == (mean ? "mean" : "sum"));
    REQUIRE(j["choices"].size() == choices.size());
    double total = 0;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const auto& c = j["choices"][i];
      CHECK(c["text"] == choices[i]);
      CHECK(c["tokens"] == want[i].tokens);
      CHECK(std::abs(c["logprob"].get<double>() - want[i].logprob) <= 1e-5);
      CHECK(std::abs(c["mean_logprob"].get<double>() - want[i].mean_logprob) <= 1e-5);
      CHECK(std::abs(c["probability"].get<double>() - want[i].probability) <= 1e-6);
      total += c["probability"].get<double>();
    }
    CHECK(total == doctest::Approx(1.0));
  }
  nib::test::run_cli("choose -m '" + dir.string() + "' -p 'x'", 106);  // no --choice: a usage error
}

TEST_CASE("score's log-probabilities are the log-softmax of what nib logits prints") {
  const auto dir = nib::test::shared_path("models/stories260K");
  const std::string continuation = " went to the park.";
  nib::Session session(nib::Model::load(dir));
  const auto s = session.score(kStory, std::vector<std::string>{continuation})[0];
  const auto prompt_count = session.model().tokenizer().encode(kStory).ids.size();
  std::string positions;
  for (std::size_t i = 0; i < s.ids.size(); ++i) {
    positions += (i ? "," : "") + std::to_string(prompt_count + i - 1);
  }
  const auto j = nlohmann::json::parse(nib::test::run_cli(
      "logits --json -m '" + dir.string() + "' -p '" + kStory + continuation + "' --positions " + positions));
  double sum = 0;
  for (std::size_t i = 0; i < s.ids.size(); ++i) {
    const auto row = j["logits"][std::to_string(prompt_count + i - 1)].get<std::vector<double>>();
    const auto id = j["ids"][prompt_count + i].get<nib::TokenId>();
    CHECK(id == s.ids[i]);
    double top = -INFINITY, z = 0;
    for (double x : row) top = std::max(top, x);
    for (double x : row) z += std::exp(x - top);
    const double want = row[static_cast<std::size_t>(id)] - top - std::log(z);
    CHECK(std::abs(s.token_logprobs[i] - want) <= 1e-4);
    sum += want;
  }
  CHECK(std::abs(s.logprob - sum) <= 1e-4);
}

TEST_CASE("nib chat answers each stdin line in one multi-turn conversation") {
  const auto dir = nib::test::chat_model_folder("stories260K", "cli-chat");
  const auto input = dir / "turns.txt";
  nib::test::write_file(input, "Tell me a story.\nWhat did the cat do?\n");
  const auto out = nib::test::run_cli("chat -m '" + dir.string() + "' --system 'Be kind.' -n 8 < '" +
                                      input.string() + "'");

  nib::Session session(nib::Model::load(dir));
  nib::GenerateOptions o;
  o.max_new_tokens = 8;
  std::vector<nib::Message> history{{"system", "Be kind."}, {"user", "Tell me a story."}};
  const auto first = session.chat(history, o);
  history.push_back({"assistant", first.text});
  history.push_back({"user", "What did the cat do?"});
  const auto second = session.chat(history, o);
  CHECK(!first.text.empty());
  CHECK(out == first.text + "\n" + second.text + "\n");

  // generate --chat: the prompt is the user message.
  const auto g = nlohmann::json::parse(nib::test::run_cli(
      "generate --json --chat -m '" + dir.string() + "' --system 'Be kind.' -p 'Tell me a story.' -n 8"));
  const auto want =
      nib::Session(nib::Model::load(dir)).chat(std::vector<nib::Message>{history[0], history[1]}, o);
  CHECK(g["prompt_ids"] == want.prompt_ids);
  CHECK(g["ids"] == want.ids);
  CHECK(g["text"] == first.text);

  // A model without a chat template is an error, not a crash.
  nib::test::run_cli(
      "chat -m '" + nib::test::shared_path("models/stories260K").string() + "' < '" + input.string() + "'",
      1);
}

}  // namespace
