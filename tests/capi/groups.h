#ifndef NIB_CAPI_GROUPS_H
#define NIB_CAPI_GROUPS_H
void test_errors(void);
void test_structs(void);
void test_tokenizer(void);
void test_chat(void);
void test_causal(void);
void test_encoder(void);
void test_adapters(void);
void test_scoring(void);
void test_heads(void);
void test_limits(void);
#endif
