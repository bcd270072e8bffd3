/* Chat templates rendered through the tokenizer handle. */
#include <stdlib.h>

#include "check.h"
#include "groups.h"

void test_chat(void) {
  nib_tokenizer* tok = NULL;
  CHECK_OK(nib_tokenizer_load(shared_path("tokenizers/phi-3-mini"), &tok));
  if (!tok) return;
  const nib_message messages[] = {{"system", "You are a helpful assistant."},
                                  {"user", "Hello, who are you?"}};
  nib_chat_options o;
  CHECK_OK(nib_chat_options_init(&o));
  o.add_generation_prompt = 1;
  char* out = NULL;
  CHECK_OK(nib_chat_render(tok, messages, 2, &o, &out));
  const char* want =
      "<|system|>\nYou are a helpful assistant.<|end|>\n<|user|>\nHello, who are "
      "you?<|end|>\n<|assistant|>\n";
  CHECK(out && strcmp(out, want) == 0);
  nib_string_free(out);

  CHECK_OK(nib_chat_render_json(tok, "[{\"role\": \"user\", \"content\": \"What is 2+2?\"}]", NULL, &out));
  CHECK(out && strcmp(out, "<|user|>\nWhat is 2+2?<|end|>\n<|endoftext|>") == 0);
  nib_string_free(out);

  /* Errors: malformed JSON, a NULL message field, an unknown template name. */
  CHECK(nib_chat_render_json(tok, "[{", NULL, &out) != NIB_OK);
  CHECK(out == NULL);
  CHECK_MESSAGE("nib_chat_render_json: ");
  const nib_message broken[] = {{"user", NULL}};
  CHECK_STATUS(nib_chat_render(tok, broken, 1, NULL, &out), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("messages[0]");
  CHECK_STATUS(nib_chat_render(tok, NULL, 1, NULL, &out), NIB_INVALID_ARGUMENT);
  o.template_name = "no-such-template";
  CHECK(nib_chat_render(tok, messages, 2, &o, &out) != NIB_OK);
  CHECK_MESSAGE("no-such-template");
  nib_tokenizer_free(tok);

  /* A folder without a chat template. */
  CHECK_OK(nib_tokenizer_load(shared_path("models/tiny-bert"), &tok));
  CHECK(nib_chat_render(tok, messages, 2, NULL, &out) != NIB_OK);
  CHECK(out == NULL);
  CHECK(strlen(nib_last_error()) > strlen("nib_chat_render: "));
  nib_tokenizer_free(tok);
}
