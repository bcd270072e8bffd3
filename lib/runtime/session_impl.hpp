#pragma once
// State behind a nib::Session. The causal half (KV cache, sampler, generation) lives in
// CausalRuntime, the encoder half (batch buffers, heads) in EncoderRuntime; each is created on
// first use so a session only pays for what it runs.
#include <nib/chat.hpp>
#include <nib/session.hpp>

#include "runtime/model_impl.hpp"

#include <atomic>
#include <memory>
#include <optional>

#include "models/blocks.hpp"

namespace nib::detail {

class CausalRuntime;   // runtime/causal_runtime.hpp
class EncoderRuntime;  // runtime/encoder_runtime.hpp
class ActiveAdapters;  // runtime/active_adapters.hpp
class HeadImpl;        // runtime/head_impl.hpp

class SessionImpl {
 public:
  SessionImpl(const Model& model, const SessionOptions& options);
  ~SessionImpl();

  const ModelImpl& model_impl() const { return model.impl(); }
  // Throws Cancelled (and clears the request) when cancel() was called.
  void check_cancelled();

  Model model;
  SessionOptions options;
  std::atomic<bool> cancel_requested{false};
  std::unique_ptr<ActiveAdapters> active_adapters;
  const models::AdapterView* adapters = nullptr;  // the active adapter set (none by default)
  std::shared_ptr<const HeadImpl> head;           // the attached task head (classify), if any

  std::unique_ptr<CausalRuntime> causal;
  std::unique_ptr<EncoderRuntime> encoder;
  std::optional<ChatTemplate> chat_template;  // the model's, read on the first chat()
};

}  // namespace nib::detail
