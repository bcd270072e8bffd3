// The C++ API in 30 lines: load a model, stream a greedy generation, print what stopped it.
//   example_cpp MODEL_DIR [PROMPT]
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <iostream>

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " MODEL_DIR [PROMPT]\n";
    return 2;
  }
  const nib::Model model = nib::Model::load(argv[1]);  // immutable, shareable
  nib::Session session(model);                         // KV cache and sampler: one thread at a time
  nib::GenerateOptions options;
  options.max_new_tokens = 64;
  options.stop_at_eos = false;
  const auto result =
      session.generate(argc > 2 ? argv[2] : "Once upon a time", options, [](std::string_view piece) {
        std::cout << piece << std::flush;
        return true;  // false stops the generation
      });
  std::cout << "\n[" << result.ids.size() << " tokens, stop: " << nib::stop_reason_name(result.stop_reason)
            << "]\n";
} catch (const nib::Error& e) {
  std::cerr << "error (" << nib::status_name(e.status()) << "): " << e.what() << "\n";
  return 1;
}
