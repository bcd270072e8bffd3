#pragma once
// nib::Adapter — a LoRA task adapter in the PEFT layout, loaded against one base Model and applied
// unmerged per Session: the base weights are never copied or modified, so any number of sessions
// on any threads can each run their own adapter set over one shared model.
#include <nib/export.hpp>
#include <nib/model.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace nib {

namespace detail {
class AdapterImpl;
}

struct AdapterInfo {
  std::filesystem::path path;
  std::string task_type;                   // adapter_config.json "task_type" (may be empty)
  std::int64_t rank = 0;                   // r
  double alpha = 0;                        // lora_alpha
  bool rslora = false;                     // scale alpha/sqrt(r) instead of alpha/r
  std::vector<std::string> lora_modules;   // base modules the adapter adds a delta to
  std::vector<std::string> saved_modules;  // base modules it replaces (modules_to_save)
  std::vector<std::string> labels;         // labels of its own classifier head, if it carries one
  std::int64_t parameter_count = 0;
};

class NIB_API Adapter {
 public:
  // Loads adapter_config.json + adapter_model.safetensors from `dir` and validates every tensor
  // against `base` (module names, shapes, ranks); errors name the offending key.
  static Adapter load(const Model& base, const std::filesystem::path& dir);

  const AdapterInfo& info() const;

  explicit Adapter(std::shared_ptr<const detail::AdapterImpl> impl);
  const detail::AdapterImpl& impl() const { return *impl_; }
  const std::shared_ptr<const detail::AdapterImpl>& shared_impl() const { return impl_; }

 private:
  std::shared_ptr<const detail::AdapterImpl> impl_;
};

// An adapter with the weight its delta is multiplied by in a Session's active set.
struct AdapterRef {
  Adapter adapter;
  float weight = 1.f;
};

}  // namespace nib
