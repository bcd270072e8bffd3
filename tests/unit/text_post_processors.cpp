// Post-processors: special tokens and type ids for single sequences and pairs.
#include <doctest/doctest.h>

#include "text_test_helpers.hpp"

namespace {
nib::Encoding seq(std::vector<nib::TokenId> ids, std::int32_t type) {
  nib::Encoding e;
  for (auto id : ids) {
    e.ids.push_back(id);
    e.tokens.push_back("t" + std::to_string(id));
    e.type_ids.push_back(type);
  }
  return e;
}
nib::Encoding process(const char* json, bool pair, bool add_special) {
  auto p = nib::text::make_post_processor(nib::io::parse_json(json, "test"), "test");
  std::optional<nib::Encoding> b;
  if (pair) b = seq({20}, 1);
  return p->process(seq({10, 11}, 0), b, add_special);
}
using Ids = std::vector<nib::TokenId>;
using Types = std::vector<std::int32_t>;
}  // namespace

TEST_CASE("post-processor TemplateProcessing") {
  const char* j = R"({"type":"TemplateProcessing",
    "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],
    "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},
            {"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],
    "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[101],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[102],"tokens":["[SEP]"]}}})";
  auto single = process(j, false, true);
  CHECK(single.ids == Ids{101, 10, 11, 102});
  CHECK(single.tokens.front() == "[CLS]");
  auto pair = process(j, true, true);
  CHECK(pair.ids == Ids{101, 10, 11, 102, 20, 102});
  CHECK(pair.type_ids == Types{0, 0, 0, 0, 1, 1});
  CHECK(process(j, true, false).ids == Ids{10, 11, 20});
  CHECK(process(j, true, false).type_ids == Types{0, 0, 1});
}

TEST_CASE("post-processor BertProcessing, RobertaProcessing, ByteLevel, Sequence") {
  auto bert = process(R"({"type":"BertProcessing","sep":["[SEP]",102],"cls":["[CLS]",101]})", true, true);
  CHECK(bert.ids == Ids{101, 10, 11, 102, 20, 102});
  CHECK(bert.type_ids == Types{0, 0, 0, 0, 1, 1});
  auto roberta = process(R"({"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0]})", true, true);
  CHECK(roberta.ids == Ids{0, 10, 11, 2, 2, 20, 2});
  CHECK(roberta.type_ids == Types{0, 0, 0, 0, 0, 0, 0});
  auto bytelevel = process(R"({"type":"ByteLevel"})", true, true);
  CHECK(bytelevel.ids == Ids{10, 11, 20});
  CHECK(bytelevel.type_ids == Types{0, 0, 1});
  auto sequence = process(
      R"({"type":"Sequence","processors":[{"type":"ByteLevel"},{"type":"BertProcessing","sep":["[SEP]",102],"cls":["[CLS]",101]}]})",
      false, true);
  CHECK(sequence.ids == Ids{101, 10, 11, 102});
}
