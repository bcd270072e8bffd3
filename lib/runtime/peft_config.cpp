#include "runtime/peft_config.hpp"

#include <cmath>
#include <regex>

#include <nib/error.hpp>

namespace nib::detail {

namespace {

constexpr std::int64_t kMaxRank = 4096;

bool ends_with_module(const std::string& name, const std::string& suffix) {
  if (name == suffix) return true;
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         name[name.size() - suffix.size() - 1] == '.';
}

// PEFT matches rank_pattern / alpha_pattern keys with re.match(rf"(.*\.)?{key}$", module).
template <class T>
std::optional<T> pattern_value(const std::map<std::string, T>& patterns, const std::string& module) {
  for (const auto& [key, value] : patterns) {
    if (std::regex_match(module, std::regex("(.*\\.)?" + key))) return value;
  }
  return std::nullopt;
}

std::regex compile(const std::string& pattern, const io::JsonView& c, const char* key) {
  // std::regex compiles and matches recursively: a long pattern (deep groups) could exhaust the
  // stack. Real target patterns are a few dozen characters.
  constexpr std::size_t kMaxPattern = 512;
  if (pattern.size() > kMaxPattern) {
    c.fail(key, "regular expression of " + std::to_string(pattern.size()) +
                    " characters exceeds the limit of " + std::to_string(kMaxPattern));
  }
  try {
    return std::regex(pattern);
  } catch (const std::regex_error&) {
    c.fail(key, "invalid regular expression \"" + pattern + "\"");
  }
}

}  // namespace

LoraConfig parse_lora_config(const io::Json& json, const std::string& where) {
  io::JsonView c(json, where);
  LoraConfig cfg;
  auto peft_type = c.get_string("peft_type");
  if (peft_type != "LORA") {
    throw Error(Status::Unsupported,
                where + ": peft_type \"" + peft_type + "\" is not supported (only LORA)");
  }
  cfg.r = c.get_int("r");
  if (cfg.r <= 0 || cfg.r > kMaxRank)
    c.fail("r", "rank " + std::to_string(cfg.r) + " out of range [1, 4096]");
  cfg.alpha = c.get_number("lora_alpha");
  if (!std::isfinite(cfg.alpha)) c.fail("lora_alpha", "must be finite");
  cfg.rslora = c.get_bool("use_rslora", false);
  cfg.fan_in_fan_out = c.get_bool("fan_in_fan_out", false);
  if (c.get_bool("use_dora", false))
    throw Error(Status::Unsupported, where + ": DoRA adapters are not supported");
  auto bias = c.get_string("bias", "none");
  if (bias != "none") {
    throw Error(Status::Unsupported, where + ": bias \"" + bias + "\" is not supported (only \"none\")");
  }
  if (!c.has("target_modules")) c.fail("target_modules", "missing required key");
  const auto& targets = json["target_modules"];
  if (targets.is_string()) {
    cfg.target_regex = targets.get<std::string>();
    compile(*cfg.target_regex, c, "target_modules");
  } else {
    cfg.target_list = c.get_strings("target_modules");
  }
  if (c.has("modules_to_save")) cfg.modules_to_save = c.get_strings("modules_to_save");
  if (c.has("layers_to_transform")) {
    const auto& l = json["layers_to_transform"];
    if (l.is_number_integer()) {
      cfg.layers_to_transform.push_back(l.get<std::int64_t>());
    } else if (l.is_array()) {
      for (const auto& e : l) {
        if (!e.is_number_integer()) c.fail("layers_to_transform", "expected integers");
        cfg.layers_to_transform.push_back(e.get<std::int64_t>());
      }
    } else {
      c.fail("layers_to_transform", "expected an integer or a list of integers");
    }
  }
  if (auto rp = c.find("rank_pattern")) {
    for (auto& [k, v] : rp->json().items()) {
      compile(k, c, "rank_pattern");
      auto r = rp->get_int(k);
      if (r <= 0 || r > kMaxRank) rp->fail(k, "rank out of range [1, 4096]");
      cfg.rank_pattern[k] = r;
    }
  }
  if (auto ap = c.find("alpha_pattern")) {
    for (auto& [k, v] : ap->json().items()) {
      compile(k, c, "alpha_pattern");
      cfg.alpha_pattern[k] = ap->get_number(k);
    }
  }
  cfg.task_type = c.get_string("task_type", "");
  return cfg;
}

bool LoraConfig::targets(const std::string& module, int layer) const {
  if (!layers_to_transform.empty() &&
      std::find(layers_to_transform.begin(), layers_to_transform.end(), layer) == layers_to_transform.end()) {
    return false;
  }
  if (target_regex) return std::regex_match(module, std::regex(*target_regex));
  for (const auto& t : target_list) {
    if (t == "all-linear" || ends_with_module(module, t)) return true;
  }
  return false;
}

bool LoraConfig::saves(const std::string& module) const {
  for (const auto& m : modules_to_save) {
    if (ends_with_module(module, m)) return true;
  }
  return false;
}

std::int64_t LoraConfig::rank_for(const std::string& module) const {
  return pattern_value(rank_pattern, module).value_or(r);
}

double LoraConfig::alpha_for(const std::string& module) const {
  return pattern_value(alpha_pattern, module).value_or(alpha);
}

float LoraConfig::scale_for(const std::string& module) const {
  const double rank = static_cast<double>(rank_for(module));
  const double a = alpha_for(module);
  return static_cast<float>(rslora ? a / std::sqrt(rank) : a / rank);
}

}  // namespace nib::detail
