// Byte-pair encoding (GPT-2 / RoBERTa byte-level, and sentencepiece-style with byte_fallback).
#include <queue>

#include "text/components.hpp"
#include "text/flat_map.hpp"
#include "text/unicode.hpp"
#include "text/vocab.hpp"

namespace nib::text {
namespace {

std::uint64_t pack_merge(std::uint32_t rank, TokenId id) {
  return (static_cast<std::uint64_t>(rank) << 32) | static_cast<std::uint32_t>(id);
}
std::uint32_t merge_rank(std::uint64_t packed) {
  return static_cast<std::uint32_t>(packed >> 32);
}
TokenId merge_id(std::uint64_t packed) {
  return static_cast<TokenId>(static_cast<std::uint32_t>(packed));
}

std::uint64_t pair_key(TokenId a, TokenId b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}

class Bpe final : public Model {
 public:
  Bpe(const Json& j, const std::string& where) {
    vocab_ = vocab_from_json(member(j, "vocab", where), where + ".vocab");
    unk_ = string_member(j, "unk_token", where, "");
    prefix_ = string_member(j, "continuing_subword_prefix", where, "");
    suffix_ = string_member(j, "end_of_word_suffix", where, "");
    fuse_unk_ = bool_member(j, "fuse_unk", where, false);
    byte_fallback_ = bool_member(j, "byte_fallback", where, false);
    ignore_merges_ = bool_member(j, "ignore_merges", where, false);
    if (!unk_.empty()) unk_id_ = vocab_.find(unk_);
    const Json& merges = array_member(j, "merges", where);
    merges_.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
      std::string at = where + ".merges[" + std::to_string(i) + "]";
      std::string a, b;
      const Json& m = merges[i];
      if (m.is_string()) {
        const auto& s = m.get_ref<const std::string&>();
        auto sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos) {
          format_error(at, "expected a merge \"left right\"");
        }
        a = s.substr(0, sp);
        b = s.substr(sp + 1);
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        a = m[0].get<std::string>();
        b = m[1].get<std::string>();
      } else {
        format_error(at, "expected a merge \"left right\" or [left, right]");
      }
      auto ia = vocab_.find(a), ib = vocab_.find(b);
      if (!ia || !ib) format_error(at, "merge token not in the vocabulary");
      std::string merged = a + b.substr(std::min(prefix_.size(), b.size()));
      auto im = vocab_.find(merged);
      // Hugging Face refuses such a file; transformers' slow tokenizer (and real model folders
      // whose vocab had a key renamed) just never produces the token, so the merge is skipped.
      if (!im) continue;
      auto key = pair_key(*ia, *ib);
      if (!merges_.find(key)) merges_.set(key, pack_merge(static_cast<std::uint32_t>(i), *im));  // first wins
    }
  }

  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    if (word.empty()) return;
    if (ignore_merges_) {
      if (auto id = vocab_.find(word)) {
        out.push_back({*id, std::string(word)});
        return;
      }
    }
    std::vector<Sym> syms;
    initial_symbols(word, syms);
    merge(syms);
    for (const auto& s : syms) {
      if (s.len == 0) continue;
      out.push_back({s.id, *vocab_.token(s.id)});
    }
  }

  std::optional<TokenId> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(TokenId id) const override { return vocab_.token(id); }
  std::size_t vocab_size() const override { return vocab_.size(); }

 private:
  struct Sym {
    TokenId id;
    int prev, next;
    std::uint32_t len;  // bytes of the word it covers; 0 once merged away
  };

  void add(std::vector<Sym>& syms, TokenId id, std::size_t len) const {
    int n = static_cast<int>(syms.size());
    syms.push_back({id, n - 1, -1, static_cast<std::uint32_t>(len)});
    if (n > 0) syms[static_cast<std::size_t>(n - 1)].next = n;
  }

  // One symbol per character (with prefix/suffix), else its bytes (byte_fallback), else unk —
  // in the order Hugging Face's BPE::merge_word adds them.
  void initial_symbols(std::string_view w, std::vector<Sym>& syms) const {
    bool pending_unk = false;  // an unknown run not yet added (fused when fuse_unk)
    std::size_t unk_len = 0;
    std::string buf;
    std::vector<TokenId> bytes;
    for (std::size_t i = 0; i < w.size();) {
      std::size_t start = i;
      next_char(w, i);
      std::string_view ch = w.substr(start, i - start);
      std::string_view s = ch;
      if ((start > 0 && !prefix_.empty()) || (i == w.size() && !suffix_.empty())) {
        buf.clear();
        if (start > 0) buf += prefix_;
        buf += ch;
        if (i == w.size()) buf += suffix_;
        s = buf;
      }
      if (auto id = vocab_.find(s)) {
        if (pending_unk) {
          add(syms, *unk_id_, unk_len);
          pending_unk = false;
        }
        add(syms, *id, ch.size());
        continue;
      }
      if (byte_fallback_ && byte_fallback_ids(vocab_, s, bytes)) {
        for (TokenId id : bytes) add(syms, id, 1);
        continue;
      }
      if (unk_id_) {
        if (pending_unk && fuse_unk_) {
          unk_len += ch.size();
        } else {
          if (pending_unk) add(syms, *unk_id_, unk_len);
          pending_unk = true;
          unk_len = ch.size();
        }
      }
    }
    if (pending_unk) add(syms, *unk_id_, unk_len);
  }

  void merge(std::vector<Sym>& syms) const {
    if (syms.size() < 2) return;
    struct Cand {
      std::uint32_t rank;
      int pos;
      TokenId id;
      bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> queue;
    auto push = [&](int left) {
      if (left < 0) return;
      int right = syms[static_cast<std::size_t>(left)].next;
      if (right < 0) return;
      auto m = merges_.find(
          pair_key(syms[static_cast<std::size_t>(left)].id, syms[static_cast<std::size_t>(right)].id));
      if (m) queue.push({merge_rank(*m), left, merge_id(*m)});
    };
    for (int i = 0; i + 1 < static_cast<int>(syms.size()); ++i) push(i);
    while (!queue.empty()) {
      Cand c = queue.top();
      queue.pop();
      Sym& left = syms[static_cast<std::size_t>(c.pos)];
      if (left.len == 0 || left.next < 0) continue;
      Sym& right = syms[static_cast<std::size_t>(left.next)];
      auto m = merges_.find(pair_key(left.id, right.id));
      if (!m || merge_rank(*m) != c.rank || merge_id(*m) != c.id) continue;  // stale
      left.id = c.id;
      left.len += right.len;
      right.len = 0;
      left.next = right.next;
      if (right.next >= 0) syms[static_cast<std::size_t>(right.next)].prev = c.pos;
      push(left.prev);
      push(c.pos);
    }
  }

  Vocab vocab_;
  FlatMap64 merges_;  // pair_key(left, right) -> pack_merge(rank, merged id)
  std::string unk_, prefix_, suffix_;
  std::optional<TokenId> unk_id_;
  bool fuse_unk_ = false, byte_fallback_ = false, ignore_merges_ = false;
};

}  // namespace

std::unique_ptr<Model> make_bpe_model(const Json& j, const std::string& where) {
  return std::make_unique<Bpe>(j, where);
}

}  // namespace nib::text
