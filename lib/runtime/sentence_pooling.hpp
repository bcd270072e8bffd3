#pragma once
// A sentence-transformers folder's pipeline after the transformer: modules.json names the Pooling
// module's folder (1_Pooling/config.json: pooling_mode_*) and whether a Normalize module follows;
// sentence_bert_config.json may cap the sequence length.
#include <nib/session.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>

namespace nib::detail {

struct SentencePooling {
  Pooling pooling = Pooling::Mean;
  bool normalize = false;
  std::int64_t max_seq_length = 0;  // 0: the model's limit
};

// nullopt for a folder without sentence-transformers files; Unsupported for pooling modes nib
// does not implement (max, weighted mean, last token, ...).
std::optional<SentencePooling> read_sentence_pooling(const std::filesystem::path& dir);

class SessionImpl;

// Pooling, normalisation and length cap embed() uses: Auto follows a sentence-transformers folder
// (read once per session), else Mean; an explicit pooling keeps the caller's normalize.
struct EmbedPlan {
  Pooling pooling = Pooling::Mean;
  bool normalize = false;
  std::int64_t limit = 0;  // tokens; 0: the model's
};
EmbedPlan plan_embedding(SessionImpl& s, const EmbedOptions& options);

}  // namespace nib::detail
