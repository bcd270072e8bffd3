#pragma once
// adapter_config.json of a PEFT LoRA adapter, and PEFT's rules for which modules it targets and
// with what rank and alpha.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "io/json.hpp"

namespace nib::detail {

struct LoraConfig {
  std::int64_t r = 0;
  double alpha = 0;
  bool rslora = false;
  bool fan_in_fan_out = false;
  std::vector<std::string> target_list;     // target_modules as a list (suffix match) ...
  std::optional<std::string> target_regex;  // ... or as a regex string (full match)
  std::vector<std::string> modules_to_save;
  std::vector<std::int64_t> layers_to_transform;  // empty: all layers
  std::map<std::string, std::int64_t> rank_pattern;
  std::map<std::string, double> alpha_pattern;
  std::string task_type;

  // Whether PEFT would have put a LoRA on `module` (in `layer`, -1 outside the layers).
  bool targets(const std::string& module, int layer) const;
  bool saves(const std::string& module) const;
  std::int64_t rank_for(const std::string& module) const;
  double alpha_for(const std::string& module) const;
  float scale_for(const std::string& module) const;
};

LoraConfig parse_lora_config(const io::Json& json, const std::string& where);

}  // namespace nib::detail
