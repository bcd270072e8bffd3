// The Jinja chat template parser and renderer. Input: template source [\0 messages JSON array
// [\0 tools JSON [\0 variables JSON object]]]; without messages, a fixed conversation is rendered.
// The render time is fixed so that strftime_now() is deterministic.
#include <nib/chat.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  auto parts = fuzz::split_parts(fuzz::as_text(data, size), 4);
  fuzz::expect_clean("ChatTemplate", [&] {
    auto chat = ChatTemplate::from_source(
        std::string(parts[0]),
        {{"bos_token", "<s>"}, {"eos_token", "</s>"}, {"unk_token", "<unk>"}, {"pad_token", "<pad>"}});
    ChatOptions options;
    options.add_generation_prompt = true;
    options.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'720'000'000));
    if (parts.size() > 2) options.tools_json = parts[2];
    if (parts.size() > 3) options.variables_json = parts[3];
    if (parts.size() > 1) {
      (void)chat.render_json(parts[1], options);
    } else {
      const Message conversation[] = {{"system", "You are terse."},
                                      {"user", "Hi there"},
                                      {"assistant", "Hello!"},
                                      {"user", "What is 2+2?"}};
      (void)chat.render(conversation, options);
    }
  });
  return 0;
}
