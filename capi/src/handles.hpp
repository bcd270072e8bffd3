#pragma once
// What the opaque C handles hold. Each wraps public C++ API objects only.
#include <nib.h>
#include <nib/adapter.hpp>
#include <nib/chat.hpp>
#include <nib/head.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>
#include <nib/tokenizer.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

struct nib_model {
  nib::Model model;
  std::int64_t n_ctx = 0;  // default for sessions created without an explicit n_ctx
};

struct nib_tokenizer {
  nib::Tokenizer tokenizer;
  std::filesystem::path dir;  // where tokenizer_config.json (the chat template) lives
  // Chat templates parsed on first use, by name; ChatTemplate is immutable and thread-safe.
  mutable std::mutex mutex;
  mutable std::map<std::string, nib::ChatTemplate> templates;
};

struct nib_adapter {
  nib::Adapter adapter;
};

struct nib_head {
  nib::Head head;
  nib::TrainHeadReport report;  // all zero for a loaded head
  // The report's arrays as the C struct exposes them.
  std::vector<std::int64_t> confusion;
  std::vector<double> fold_accuracy, fold_macro_f1;
  std::vector<std::int32_t> fold_iterations;
};

struct nib_encoding {
  nib::Encoding encoding;
};

// Results of a session's last call; the C structs point into these until the next call.
struct nib_session_results {
  nib::Generation generation;
  std::vector<float> floats;
  std::vector<nib::Classification> classifications;
  std::vector<std::vector<const char*>> label_names;
  std::vector<nib::MaskFill> fills;
  std::vector<nib::TokenTag> tags;
  std::vector<nib::ContinuationScore> scores;
  nib::InContextClassification in_context;
  std::vector<nib_token> ids;
  std::vector<const char*> strings_a, strings_b;
  std::vector<float> floats_a, floats_b;
  std::vector<double> doubles_a, doubles_b, doubles_c;
  std::vector<std::int64_t> ints_a, ints_b;
};

struct nib_session {
  nib::Session session;
  nib_session_results results;
};
