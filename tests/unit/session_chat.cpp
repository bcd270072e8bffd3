// Session::chat on copies of stories260K / tiny-llama given a chat template that writes
// bos_token: exactly one BOS, the same output as generate() on the hand-rendered prompt, and a
// second turn reusing the cached first one.
#include <doctest/doctest.h>

#include <algorithm>

#include <nib/chat.hpp>
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include "chat_model.hpp"
#include "shared_data.hpp"
#include "stories.hpp"

namespace {

using nib::test::greedy;

TEST_CASE("chat renders the model's template, adds no second BOS and equals generate() on it") {
  for (const std::string folder : {"stories260K", "tiny-llama"}) {
    CAPTURE(folder);
    const auto dir = nib::test::chat_model_folder(folder, "chat-" + folder);
    const auto model = nib::Model::load(dir);
    const auto bos = model.tokenizer().special_tokens().bos;
    REQUIRE(bos);
    const std::vector<nib::Message> messages{{"system", "You tell stories."},
                                             {"user", "Tell me about a cat."}};
    nib::Session session(model);
    const auto g = session.chat(messages, greedy(12));
    CHECK(std::count(g.prompt_ids.begin(), g.prompt_ids.end(), *bos) == 1);
    CHECK(g.prompt_ids.front() == *bos);

    nib::ChatOptions with_prompt;
    with_prompt.add_generation_prompt = true;
    const std::string rendered = nib::ChatTemplate::from_tokenizer_config(dir).render(messages, with_prompt);
    REQUIRE(rendered.starts_with("<s><|system|>\nYou tell stories.\n<|user|>\n"));
    // As transformers: the template's "<s>" is the BOS token, the rest is encoded without special
    // tokens.
    std::vector<nib::TokenId> ids{*bos};
    const auto rest = model.tokenizer().encode(rendered.substr(3), false).ids;
    ids.insert(ids.end(), rest.begin(), rest.end());
    CHECK(g.prompt_ids == ids);
    const auto want = nib::Session(model).generate_ids(ids, greedy(12));
    CHECK(g.ids == want.ids);
    CHECK(g.text == want.text);
    CHECK(g.ids.size() == 12);
  }
}

TEST_CASE("a second chat turn reuses the cached prefix of the first") {
  const auto model = nib::Model::load(nib::test::chat_model_folder("stories260K", "chat-turns"));
  nib::Session session(model);
  std::vector<nib::Message> history{{"user", "Once upon a time"}};
  const auto first = session.chat(history, greedy(10));
  CHECK(first.stats.reused_tokens == 0);
  history.push_back({"assistant", first.text});
  history.push_back({"user", "What happened next?"});
  const auto second = session.chat(history, greedy(10));
  MESSAGE("turn 1 prompt " << first.stats.prompt_tokens << " tokens; turn 2 prompt "
                           << second.stats.prompt_tokens << ", reused " << second.stats.reused_tokens);
  CHECK(second.stats.reused_tokens >= first.stats.prompt_tokens);
  CHECK(second.stats.reused_tokens < second.stats.prompt_tokens);
  // The template's eos_token after the assistant turn is the EOS id, once.
  const auto eos = *model.tokenizer().special_tokens().eos;
  CHECK(std::count(second.prompt_ids.begin(), second.prompt_ids.end(), eos) == 1);
  // The reuse changes nothing: a fresh session gives the same reply.
  const auto fresh = nib::Session(model).chat(history, greedy(10));
  CHECK(fresh.stats.reused_tokens == 0);
  CHECK(fresh.ids == second.ids);
}

TEST_CASE("chat on a model without a chat template is a clear error") {
  const auto model = nib::Model::load(nib::test::shared_path("models/stories260K"));
  nib::Session session(model);
  const std::vector<nib::Message> messages{{"user", "hi"}};
  try {
    session.chat(messages, greedy(4));
    FAIL("chat without a template succeeded");
  } catch (const nib::Error& e) {
    CHECK(e.status() == nib::Status::Unsupported);
    CHECK(std::string(e.what()).find("chat_template") != std::string::npos);
  }
}

}  // namespace
