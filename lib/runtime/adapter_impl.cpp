#include "runtime/adapter_impl.hpp"

#include <map>

#include <nib/error.hpp>

#include "io/safetensors.hpp"
#include "runtime/peft_config.hpp"

namespace nib::detail {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "base_model.model.";

struct LoraPair {
  const io::TensorView* a = nullptr;
  const io::TensorView* b = nullptr;
};
struct SavedParams {
  const io::TensorView* weight = nullptr;
  const io::TensorView* bias = nullptr;
};

std::string shape_of(const io::TensorView& t) {
  std::string s = "[";
  for (std::size_t i = 0; i < t.shape.size(); ++i) s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + "]";
}

std::vector<float> floats(const io::TensorView& t, const std::string& where) {
  if (t.dtype != io::DType::F32 && t.dtype != io::DType::F16 && t.dtype != io::DType::BF16) {
    throw Error(Status::Format, where + ": tensor \"" + t.name + "\" has dtype " + io::dtype_name(t.dtype) +
                                    " (expected F32, F16 or BF16)");
  }
  return io::to_f32(t);
}

// Splits "<module>.lora_A[.<adapter name>].weight" into module and A/B; false if not a LoRA key.
bool parse_lora_key(const std::string& key, std::string& module, bool& is_a) {
  for (const char* part : {".lora_A.", ".lora_B."}) {
    auto pos = key.find(part);
    if (pos == std::string::npos) continue;
    auto rest = key.substr(pos + 8);
    if (rest != "weight" &&
        !(rest.size() > 7 && rest.ends_with(".weight") && rest.find('.') == rest.size() - 7)) {
      return false;
    }
    module = key.substr(0, pos);
    is_a = part[6] == 'A';
    return true;
  }
  return false;
}

// Splits "<module>[.modules_to_save.<name>].weight|bias".
bool parse_saved_key(const std::string& key, std::string& module, std::string& param) {
  auto dot = key.rfind('.');
  if (dot == std::string::npos) return false;
  param = key.substr(dot + 1);
  module = key.substr(0, dot);
  if (param != "weight" && param != "bias") return false;
  if (auto pos = module.find(".modules_to_save."); pos != std::string::npos) module = module.substr(0, pos);
  return true;
}

}  // namespace

AdapterImpl::AdapterImpl(const Model& base, const fs::path& dir) : base_(base) {
  const auto config_path = dir / "adapter_config.json";
  const auto weights_path = dir / "adapter_model.safetensors";
  if (!fs::is_directory(dir)) throw Error(Status::Io, dir.string() + ": not a directory");
  if (!fs::exists(config_path)) throw Error(Status::Io, dir.string() + ": no adapter_config.json");
  if (!fs::exists(weights_path)) {
    throw Error(Status::Io,
                dir.string() + ": no adapter_model.safetensors (only safetensors adapters are supported)");
  }
  const auto json = io::read_json_file(config_path, 16u << 20);
  const LoraConfig cfg = parse_lora_config(json, config_path.string());
  const io::SafetensorsFile file(weights_path);
  const std::string where = weights_path.string();
  const auto& modules = base_.impl().modules();

  std::map<std::string, LoraPair> pairs;
  std::map<std::string, SavedParams> saved;
  for (const auto& t : file.tensors()) {
    if (!t.name.starts_with(kPrefix)) {
      throw Error(Status::Format,
                  where + ": tensor \"" + t.name + "\" does not start with \"base_model.model.\"");
    }
    const std::string key = t.name.substr(kPrefix.size());
    std::string module, param;
    bool is_a = false;
    if (parse_lora_key(key, module, is_a)) {
      auto& p = pairs[module];
      (is_a ? p.a : p.b) = &t;
    } else if (key.find("lora_") != std::string::npos) {
      throw Error(Status::Unsupported,
                  where + ": tensor \"" + t.name + "\" is not a LoRA A/B weight nib supports");
    } else if (parse_saved_key(key, module, param) && cfg.saves(module)) {
      (param == "weight" ? saved[module].weight : saved[module].bias) = &t;
    } else {
      throw Error(Status::Format,
                  where + ": tensor \"" + t.name +
                      "\" is neither a LoRA weight nor a parameter of a module in modules_to_save");
    }
  }

  for (const auto& [module, p] : pairs) {
    const std::string key = std::string(kPrefix) + module;
    auto id = modules.find(module);
    if (!id) {
      throw Error(Status::Format, where + ": \"" + key + "\" names no linear module of the base model (" +
                                      base_.info().architecture + ")");
    }
    const auto& info = modules.modules()[static_cast<std::size_t>(*id)];
    if (!p.a || !p.b) {
      throw Error(Status::Format, where + ": \"" + key + "\" has " + (p.a ? "lora_A" : "lora_B") +
                                      " but no " + (p.a ? "lora_B" : "lora_A"));
    }
    if (!cfg.targets(module, info.layer)) {
      throw Error(Status::Format,
                  where + ": \"" + key + "\" is not selected by target_modules / layers_to_transform");
    }
    const std::int64_t r = cfg.rank_for(module);
    if (p.a->shape != std::vector<std::int64_t>{r, info.in}) {
      throw Error(Status::Format, where + ": \"" + p.a->name + "\" has shape " + shape_of(*p.a) +
                                      ", expected [" + std::to_string(r) + ", " + std::to_string(info.in) +
                                      "] (rank × in_features)");
    }
    if (p.b->shape != std::vector<std::int64_t>{info.out, r}) {
      throw Error(Status::Format, where + ": \"" + p.b->name + "\" has shape " + shape_of(*p.b) +
                                      ", expected [" + std::to_string(info.out) + ", " + std::to_string(r) +
                                      "] (out_features × rank)");
    }
    deltas_.push_back({*id, r, cfg.scale_for(module), floats(*p.a, where), floats(*p.b, where)});
    info_.lora_modules.push_back(module);
    info_.parameter_count += p.a->numel() + p.b->numel();
  }

  for (const auto& [module, s] : saved) {
    auto id = modules.find(module);
    if (!id) {
      throw Error(Status::Format,
                  where + ": modules_to_save entry \"" + module + "\" is not a linear module of the base");
    }
    const auto& info = modules.modules()[static_cast<std::size_t>(*id)];
    if (!s.weight) throw Error(Status::Format, where + ": saved module \"" + module + "\" has no weight");
    // A saved module keeps the base module's shape and layout (Conv1D stores [in, out]).
    const bool out_in = info.layout == kernels::Layout::OutIn;
    const std::vector<std::int64_t> want =
        out_in ? std::vector<std::int64_t>{info.out, info.in} : std::vector<std::int64_t>{info.in, info.out};
    if (s.weight->shape != want) {
      throw Error(Status::Format, where + ": \"" + s.weight->name + "\" has shape " + shape_of(*s.weight) +
                                      ", expected [" + std::to_string(want[0]) + ", " +
                                      std::to_string(want[1]) + "]");
    }
    if (s.bias && s.bias->shape != std::vector<std::int64_t>{info.out}) {
      throw Error(Status::Format, where + ": \"" + s.bias->name + "\" has shape " + shape_of(*s.bias) +
                                      ", expected [" + std::to_string(info.out) + "]");
    }
    Replacement r;
    r.module = *id;
    r.weight = floats(*s.weight, where);
    if (s.bias) r.bias = floats(*s.bias, where);
    info_.saved_modules.push_back(module);
    info_.parameter_count += s.weight->numel() + (s.bias ? s.bias->numel() : 0);
    replacements_.push_back(std::move(r));
  }
  // Bind after the vectors stop moving.
  for (auto& r : replacements_) {
    const auto& info = modules.modules()[static_cast<std::size_t>(r.module)];
    r.linear.w = {r.weight.data(), info.out, info.in, info.layout};
    r.linear.bias = r.bias.empty() ? nullptr : r.bias.data();
    r.linear.module = r.module;
  }
  if (deltas_.empty() && replacements_.empty()) {
    throw Error(Status::Format, where + ": the adapter holds no LoRA weights");
  }
  info_.path = dir;
  info_.task_type = cfg.task_type;
  info_.rank = cfg.r;
  info_.alpha = cfg.alpha;
  info_.rslora = cfg.rslora;
  // A saved head keeps the base head's shape, so its label names are the base's.
  if (!replacements_.empty()) info_.labels = base_.info().labels;
}

}  // namespace nib::detail
