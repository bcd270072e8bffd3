// The safetensors reader on arbitrary bytes: header length, JSON header, dtypes, shapes, offsets;
// every tensor it accepts must lie inside the file (ASan checks the reads of to_f32).
#include "fuzz_support.hpp"
#include "io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nib;
  fuzz::Scratch::fresh();
  auto path = fuzz::Scratch::write("model.safetensors", fuzz::as_text(data, size));
  fuzz::expect_clean("SafetensorsFile", [&] {
    io::SafetensorsFile file(path);
    for (const auto& t : file.tensors()) {
      if (file.find(t.name) != &t) fuzz::finding("find", "does not return " + t.describe());
      if (static_cast<std::uint64_t>(t.numel()) * io::dtype_size(t.dtype) != t.bytes.size())
        fuzz::finding("tensor bytes", t.describe() + " does not match its byte span");
      fuzz::expect_clean("to_f32", [&] { (void)io::to_f32(t); });
    }
  });
  return 0;
}
