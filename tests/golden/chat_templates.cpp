// Every record of ../shared/chat-templates/golden.json: the template in <template>/
// tokenizer_config.json renders the conversation exactly as transformers did, or fails (with the
// template's own message when the reference raised a TemplateError).
#include <nib/chat.hpp>
#include <nib/error.hpp>

#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "shared_data.hpp"

namespace {

using Ordered = nlohmann::ordered_json;  // tool schemas keep their key order, as in Python

Ordered read_golden() {
  std::ifstream in(nib::test::shared_path("chat-templates/golden.json"));
  std::stringstream text;
  text << in.rdbuf();
  return Ordered::parse(text.str());
}

// "2024-09-12T10:30:00" as local time: strftime_now formats local time, like datetime.now().
std::chrono::system_clock::time_point local_time(const std::string& iso) {
  std::tm tm{};
  std::istringstream(iso) >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

}  // namespace

TEST_CASE("chat templates render every golden conversation like transformers") {
  auto golden = read_golden();
  REQUIRE(golden.size() == 190);
  int passed = 0;
  for (auto& rec : golden) {
    std::string name = rec["template"].get<std::string>() + "/" + rec["case"].get<std::string>();
    CAPTURE(name);
    auto tmpl = nib::ChatTemplate::from_tokenizer_config(
        nib::test::shared_path("chat-templates/" + rec["template"].get<std::string>()));
    nib::ChatOptions options;
    options.add_generation_prompt = rec["add_generation_prompt"].get<bool>();
    if (!rec["tools"].is_null()) options.tools_json = rec["tools"].dump();
    if (!rec["documents"].is_null()) options.documents_json = rec["documents"].dump();
    options.now = local_time(rec["fixed_date"].get<std::string>());
    std::vector<nib::Message> messages;
    for (auto& m : rec["messages"])
      messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});

    if (rec.contains("expected")) {
      std::string out;
      try {
        out = tmpl.render(messages, options);
      } catch (const nib::Error& e) {
        FAIL_CHECK("render failed: " << std::string(e.what()));
        continue;
      }
      CHECK(out == rec["expected"].get<std::string>());
      passed += out == rec["expected"].get<std::string>();
    } else {
      bool failed = false;
      try {
        tmpl.render(messages, options);
      } catch (const nib::Error& e) {
        failed = true;
        CHECK(e.status() == nib::Status::Format);
        if (rec["error_type"] == "TemplateError") {
          CHECK(std::string(e.what()) == rec["error"].get<std::string>());
          failed = std::string(e.what()) == rec["error"].get<std::string>();
        }
      }
      CHECK_MESSAGE(failed, "expected the render to fail with: " << rec["error"].get<std::string>());
      passed += failed;
    }
  }
  MESSAGE("chat-template goldens passed: " << passed << "/" << golden.size());
  CHECK(passed == static_cast<int>(golden.size()));
}

TEST_CASE("the JSON message form renders the same as Message structs") {
  auto tmpl =
      nib::ChatTemplate::from_tokenizer_config(nib::test::shared_path("chat-templates/qwen2.5-instruct"));
  std::vector<nib::Message> messages{{"system", "Be brief."}, {"user", "Hi"}};
  nib::ChatOptions options;
  options.add_generation_prompt = true;
  CHECK(tmpl.render(messages, options) ==
        tmpl.render_json(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}])",
                         options));
}
