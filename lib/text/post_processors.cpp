// Post-processors: special tokens around the sequences and their type ids.
#include <utility>

#include "text/components.hpp"
#include "text/vocab.hpp"

namespace nib::text {
namespace {

void append(Encoding& to, const Encoding& from) {
  to.ids.insert(to.ids.end(), from.ids.begin(), from.ids.end());
  to.tokens.insert(to.tokens.end(), from.tokens.begin(), from.tokens.end());
  to.type_ids.insert(to.type_ids.end(), from.type_ids.begin(), from.type_ids.end());
}

void append_special(Encoding& to, TokenId id, const std::string& token, std::int32_t type_id) {
  to.ids.push_back(id);
  to.tokens.push_back(token);
  to.type_ids.push_back(type_id);
}

Encoding with_type(Encoding e, std::int32_t type_id) {
  std::fill(e.type_ids.begin(), e.type_ids.end(), type_id);
  return e;
}

// Concatenation without special tokens: what every processor does for add_special_tokens=false.
Encoding concat(Encoding a, const std::optional<Encoding>& b) {
  if (b) append(a, *b);
  return a;
}

// A special token's id (an integer JSON value) within the range of vocabulary ids.
TokenId token_id(const Json& j, const std::string& where) {
  const auto id = j.get<std::int64_t>();
  if (id < 0 || id > Vocab::kMaxTokenId)
    format_error(where, "token id " + std::to_string(id) + " is out of range");
  return static_cast<TokenId>(id);
}

struct Special {
  std::string token;
  TokenId id;
};

Special parse_pair(const Json& j, const std::string& where) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_string() || !j[1].is_number_integer()) {
    format_error(where, "expected [token, id]");
  }
  return {j[0].get<std::string>(), token_id(j[1], where)};
}

// BertProcessing ([CLS] A [SEP] B [SEP], B typed 1) and RobertaProcessing (<s> A </s></s> B </s>, all
// typed 0): a class token first, a separator after each sequence, and Roberta's second one before B.
class ClsSepProcessing final : public PostProcessor {
 public:
  ClsSepProcessing(const Json& j, const std::string& where, bool roberta)
      : sep_(parse_pair(member(j, "sep", where), where + ".sep")),
        cls_(parse_pair(member(j, "cls", where), where + ".cls")),
        roberta_(roberta) {}
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special) const override {
    if (!add_special) return concat(std::move(a), b);
    Encoding out;
    append_special(out, cls_.id, cls_.token, 0);
    append(out, with_type(std::move(a), 0));
    append_special(out, sep_.id, sep_.token, 0);
    if (b) {
      const std::int32_t type = roberta_ ? 0 : 1;
      if (roberta_) append_special(out, sep_.id, sep_.token, type);
      append(out, with_type(std::move(*b), type));
      append_special(out, sep_.id, sep_.token, type);
    }
    return out;
  }

 private:
  Special sep_, cls_;
  bool roberta_;
};

class PassThrough final : public PostProcessor {  // ByteLevel (only trims offsets)
 public:
  Encoding process(Encoding a, std::optional<Encoding> b, bool) const override {
    return concat(std::move(a), b);
  }
};

class TemplateProcessing final : public PostProcessor {
 public:
  TemplateProcessing(const Json& j, const std::string& where) {
    const Json& specials = member(j, "special_tokens", where);
    if (!specials.is_object()) format_error(where + ".special_tokens", "expected an object");
    for (auto it = specials.begin(); it != specials.end(); ++it) {
      std::string at = where + ".special_tokens[\"" + it.key() + "\"]";
      const Json& ids = array_member(*it, "ids", at);
      const Json& tokens = array_member(*it, "tokens", at);
      if (ids.size() != tokens.size()) format_error(at, "\"ids\" and \"tokens\" differ in length");
      std::vector<Special> list;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (!ids[i].is_number_integer() || !tokens[i].is_string())
          format_error(at, "expected integer ids and string tokens");
        list.push_back({tokens[i].get<std::string>(), token_id(ids[i], at)});
      }
      specials_.emplace_back(it.key(), std::move(list));
    }
    single_ = parse_template(member(j, "single", where), where + ".single");
    pair_ = parse_template(member(j, "pair", where), where + ".pair");
  }

  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special) const override {
    const auto& tmpl = b ? pair_ : single_;
    Encoding out;
    for (const auto& item : tmpl) {
      if (item.special) {
        if (!add_special) continue;
        for (const auto& s : *item.special) append_special(out, s.id, s.token, item.type_id);
      } else {
        const Encoding* src = item.sequence_b ? (b ? &*b : nullptr) : &a;
        if (!src) continue;
        append(out, with_type(*src, item.type_id));
      }
    }
    return out;
  }

 private:
  struct Item {
    const std::vector<Special>* special = nullptr;
    bool sequence_b = false;
    std::int32_t type_id = 0;
  };

  std::vector<Item> parse_template(const Json& j, const std::string& where) {
    if (!j.is_array()) format_error(where, "expected an array of template pieces");
    std::vector<Item> items;
    for (std::size_t i = 0; i < j.size(); ++i) {
      std::string at = where + "[" + std::to_string(i) + "]";
      const Json& e = j[i];
      Item item;
      if (e.is_object() && e.contains("SpecialToken")) {
        const Json& s = e["SpecialToken"];
        std::string id = string_member(s, "id", at + ".SpecialToken");
        for (const auto& [name, list] : specials_) {
          if (name == id) item.special = &list;
        }
        if (!item.special) format_error(at, "special token \"" + id + "\" missing from special_tokens");
        item.type_id = static_cast<std::int32_t>(int_member(s, "type_id", at + ".SpecialToken", 0));
      } else if (e.is_object() && e.contains("Sequence")) {
        const Json& s = e["Sequence"];
        std::string id = string_member(s, "id", at + ".Sequence");
        if (id != "A" && id != "B") format_error(at + ".Sequence.id", "expected \"A\" or \"B\"");
        item.sequence_b = id == "B";
        item.type_id = static_cast<std::int32_t>(int_member(s, "type_id", at + ".Sequence", 0));
      } else {
        format_error(at, "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
      }
      items.push_back(item);
    }
    return items;
  }

  std::vector<std::pair<std::string, std::vector<Special>>> specials_;  // stable addresses after load
  std::vector<Item> single_, pair_;
};

class PostProcessorSequence final : public PostProcessor {
 public:
  explicit PostProcessorSequence(std::vector<std::unique_ptr<PostProcessor>> items)
      : items_(std::move(items)) {}
  Encoding process(Encoding a, std::optional<Encoding> b, bool add_special) const override {
    // Like Hugging Face, each processor sees the previous result; only the first gets the pair.
    if (items_.empty()) return concat(std::move(a), b);
    Encoding out = items_[0]->process(std::move(a), std::move(b), add_special);
    for (std::size_t i = 1; i < items_.size(); ++i)
      out = items_[i]->process(std::move(out), std::nullopt, add_special);
    return out;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> items_;
};

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const Json& j, const std::string& where) {
  std::string type = type_of(j, where);
  if (type == "BertProcessing") return std::make_unique<ClsSepProcessing>(j, where, false);
  if (type == "RobertaProcessing") return std::make_unique<ClsSepProcessing>(j, where, true);
  if (type == "ByteLevel") return std::make_unique<PassThrough>();
  if (type == "TemplateProcessing") return std::make_unique<TemplateProcessing>(j, where);
  if (type == "Sequence") {
    const Json& list = array_member(j, "processors", where);
    std::vector<std::unique_ptr<PostProcessor>> items;
    for (std::size_t i = 0; i < list.size(); ++i) {
      items.push_back(make_post_processor(list[i], where + ".processors[" + std::to_string(i) + "]"));
    }
    return std::make_unique<PostProcessorSequence>(std::move(items));
  }
  format_error(where, "unknown post-processor type \"" + type + "\"");
}

}  // namespace nib::text
