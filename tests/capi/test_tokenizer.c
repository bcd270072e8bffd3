/* Tokenizer calls against stories260K (sentencepiece) and tiny-bert (WordPiece, pairs). */
#include <stdlib.h>

#include "check.h"
#include "groups.h"

static void stories(void) {
  nib_model* model = NULL;
  nib_tokenizer* tok = NULL;
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), NULL, &model));
  CHECK_OK(nib_model_tokenizer(model, &tok));
  nib_model_free(model); /* the tokenizer outlives its model handle */
  if (!tok) return;

  nib_encoding* enc = NULL;
  const char* text = "Once upon a time";
  CHECK_OK(nib_tokenizer_encode(tok, text, strlen(text), 1, &enc));
  const nib_token* ids = NULL;
  size_t n = 0;
  CHECK_OK(nib_encoding_ids(enc, &ids, &n));
  static const nib_token want[] = {1, 403, 407, 261, 378};
  CHECK(n == 5 && memcmp(ids, want, sizeof want) == 0);
  const char* piece = NULL;
  CHECK_OK(nib_encoding_token(enc, 0, &piece));
  CHECK(piece && strcmp(piece, "<s>") == 0);
  CHECK_STATUS(nib_encoding_token(enc, 5, &piece), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("out of range");
  const int32_t* types = NULL;
  size_t nt = 0;
  CHECK_OK(nib_encoding_type_ids(enc, &types, &nt));
  CHECK(nt == n);

  char* decoded = NULL;
  size_t len = 0;
  CHECK_OK(nib_tokenizer_decode(tok, ids, n, 1, &decoded, &len));
  CHECK(decoded && strcmp(decoded, text) == 0 && len == strlen(text));
  nib_string_free(decoded);
  nib_encoding_free(enc);

  /* Empty input: a NULL text with length 0 is fine. */
  CHECK_OK(nib_tokenizer_encode(tok, NULL, 0, 0, &enc));
  CHECK_OK(nib_encoding_ids(enc, &ids, &n));
  CHECK(n == 0);
  nib_encoding_free(enc);
  CHECK_STATUS(nib_tokenizer_encode(tok, NULL, 3, 0, &enc), NIB_INVALID_ARGUMENT);

  size_t vocab = 0;
  CHECK_OK(nib_tokenizer_vocab_size(tok, &vocab));
  CHECK(vocab == 512);
  nib_token id = 0;
  CHECK_OK(nib_tokenizer_special_token(tok, NIB_SPECIAL_BOS, &id));
  CHECK(id == 1);
  CHECK_OK(nib_tokenizer_special_token(tok, NIB_SPECIAL_EOS, &id));
  CHECK(id == 2);
  CHECK_OK(nib_tokenizer_special_token(tok, NIB_SPECIAL_MASK, &id));
  CHECK(id == -1);
  CHECK_STATUS(nib_tokenizer_special_token(tok, 42, &id), NIB_INVALID_ARGUMENT);
  int special = 0;
  CHECK_OK(nib_tokenizer_is_special(tok, 2, &special));
  CHECK(special);
  CHECK_OK(nib_tokenizer_token_to_id(tok, "<s>", &id));
  CHECK(id == 1);
  CHECK_STATUS(nib_tokenizer_token_to_id(tok, "no such piece", &id), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("not in the vocabulary");
  char* s = NULL;
  CHECK_OK(nib_tokenizer_id_to_token(tok, 2, &s));
  CHECK(s && strcmp(s, "</s>") == 0);
  nib_string_free(s);
  CHECK_STATUS(nib_tokenizer_id_to_token(tok, 512, &s), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_tokenizer_id_to_token(tok, -1, &s), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_tokenizer_decode(tok, NULL, 2, 0, &s, NULL), NIB_INVALID_ARGUMENT);
  nib_tokenizer_free(tok);
}

static void pairs(void) {
  nib_tokenizer* tok = NULL;
  CHECK_OK(nib_tokenizer_load(shared_path("models/tiny-bert"), &tok));
  if (!tok) return;
  nib_encoding* enc = NULL;
  CHECK_OK(nib_tokenizer_encode_pair(tok, "a question", 10, "the context", 11, 1, &enc));
  const nib_token* ids = NULL;
  const int32_t* types = NULL;
  size_t n = 0, nt = 0;
  CHECK_OK(nib_encoding_ids(enc, &ids, &n));
  CHECK_OK(nib_encoding_type_ids(enc, &types, &nt));
  CHECK(n == 7 && nt == 7);
  if (n == 7) {
    CHECK(ids[0] == 101 && ids[3] == 102 && ids[6] == 102);
    CHECK(types[0] == 0 && types[4] == 1);
  }
  nib_encoding_free(enc);
  nib_tokenizer_free(tok);
}

void test_tokenizer(void) {
  stories();
  pairs();
}
