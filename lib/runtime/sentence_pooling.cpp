#include "runtime/sentence_pooling.hpp"

#include <nib/error.hpp>

#include "io/hf_folder.hpp"
#include "io/json.hpp"
#include "runtime/encoder_runtime.hpp"
#include "runtime/session_impl.hpp"

namespace nib::detail {

namespace fs = std::filesystem;

namespace {

Pooling pooling_mode(const fs::path& file) {
  const auto json = io::read_json_file(file);
  const io::JsonView c(json, file.string());
  if (c.has("pooling_mode")) {
    const auto mode = c.get_string("pooling_mode");
    if (mode == "mean") return Pooling::Mean;
    if (mode == "cls") return Pooling::Cls;
    throw Error(Status::Unsupported, file.string() + ": pooling_mode \"" + mode + "\" is not supported");
  }
  const bool cls = c.get_bool("pooling_mode_cls_token", false);
  const bool mean = c.get_bool("pooling_mode_mean_tokens", false);
  for (const char* other : {"pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                            "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"}) {
    if (c.get_bool(other, false)) {
      throw Error(Status::Unsupported, file.string() + ": " + other + " is not supported");
    }
  }
  if (cls == mean) {
    throw Error(Status::Unsupported, file.string() + ": exactly one of cls / mean pooling must be enabled");
  }
  return cls ? Pooling::Cls : Pooling::Mean;
}

}  // namespace

std::optional<SentencePooling> read_sentence_pooling(const fs::path& dir) {
  SentencePooling p;
  fs::path pooling_config;
  const auto modules = io::read_optional_json(dir / "modules.json");
  if (modules.is_array()) {
    for (const auto& m : modules) {
      if (!m.is_object()) continue;
      const io::JsonView v(m, (dir / "modules.json").string());
      const auto type = v.get_string("type", "");
      if (type.ends_with(".Pooling")) pooling_config = dir / v.get_string("path", "") / "config.json";
      if (type.ends_with(".Normalize")) p.normalize = true;
    }
  } else if (fs::exists(dir / "1_Pooling" / "config.json")) {
    pooling_config = dir / "1_Pooling" / "config.json";
  }
  if (pooling_config.empty()) return std::nullopt;
  p.pooling = pooling_mode(pooling_config);
  const auto sbert = io::read_optional_json(dir / "sentence_bert_config.json");
  if (sbert.is_object()) {
    p.max_seq_length = io::JsonView(sbert, "sentence_bert_config.json").get_int("max_seq_length", 0);
  }
  return p;
}

EmbedPlan plan_embedding(SessionImpl& s, const EmbedOptions& options) {
  if (!s.encoder) s.encoder = std::make_unique<EncoderRuntime>();
  auto& cached = s.encoder->sentence_pooling;
  if (!cached) cached = read_sentence_pooling(s.model.info().path);
  EmbedPlan plan{options.pooling, options.normalize, 0};
  if (*cached) plan.limit = (*cached)->max_seq_length;
  if (options.pooling == Pooling::Auto) {
    plan.pooling = *cached ? (*cached)->pooling : Pooling::Mean;
    plan.normalize = options.normalize || (*cached && (*cached)->normalize);
  }
  return plan;
}

}  // namespace nib::detail
