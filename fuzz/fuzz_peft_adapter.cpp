// A PEFT LoRA adapter loaded against a tiny base model from ../shared. Input: one byte choosing the
// base (tiny-llama, tiny-gpt2, tiny-bert), a u32 little-endian length n, n bytes of
// adapter_config.json, then adapter_model.safetensors. An adapter that loads is then run: its
// shapes were validated against the base, so the forward pass must stay in bounds.
#include <nib/adapter.hpp>
#include <nib/session.hpp>

#include "fuzz_support.hpp"

namespace {

const nib::Model& base_model(std::uint8_t which) {
  static const nib::Model models[] = {
      nib::Model::load(nib::fuzz::shared_path("models/tiny-llama"), {.threads = 1}),
      nib::Model::load(nib::fuzz::shared_path("models/tiny-gpt2"), {.threads = 1}),
      nib::Model::load(nib::fuzz::shared_path("models/tiny-bert"), {.threads = 1}),
  };
  return models[which % std::size(models)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  fuzz::Reader in(fuzz::as_text(data, size));
  const Model& base = base_model(in.u8());
  auto config = in.take(in.u32());
  const auto& dir = fuzz::Scratch::fresh();
  fuzz::Scratch::write("adapter_config.json", config);
  fuzz::Scratch::write("adapter_model.safetensors", in.rest());
  fuzz::expect_clean("Adapter::load", [&] {
    auto adapter = Adapter::load(base, dir);
    Session session(base, {.n_ctx = 16, .threads = 1});
    AdapterRef ref{adapter, 1.f};
    session.use_adapters(std::span(&ref, 1));
    if (base.info().kind == ModelKind::CausalLM) {
      const TokenId ids[] = {1, 2, 3};
      const std::int64_t positions[] = {2};
      (void)session.logits(ids, positions);
    } else {
      fuzz::expect_clean("classify", [&] { (void)session.classify("a tiny test"); });
      (void)session.embed("a tiny test");
    }
  });
  return 0;
}
