#include "file_builders.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace nib::test {

std::string safetensors_bytes(const std::vector<TensorSpec>& tensors, const std::string& header_override) {
  nlohmann::json header = nlohmann::json::object();
  std::string buffer;
  for (const auto& t : tensors) {
    header[t.name] = {{"dtype", t.dtype},
                      {"shape", t.shape},
                      {"data_offsets", {buffer.size(), buffer.size() + t.data.size()}}};
    buffer.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
  }
  std::string h = header_override.empty() ? header.dump() : header_override;
  while ((8 + h.size()) % 8 != 0) h.push_back(' ');
  std::string out(8, '\0');
  std::uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + h + buffer;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::uint8_t> f32_bytes(const std::vector<float>& values) {
  std::vector<std::uint8_t> out(values.size() * 4);
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

void copy_model_folder(const std::filesystem::path& src, const std::filesystem::path& dest) {
  namespace fs = std::filesystem;
  fs::create_directories(dest);
  for (const auto& e : fs::directory_iterator(src)) {
    if (!e.is_regular_file()) continue;
    fs::copy_file(e.path(), dest / e.path().filename(), fs::copy_options::overwrite_existing);
  }
}

}  // namespace nib::test
