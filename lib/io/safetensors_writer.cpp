#include "io/safetensors_writer.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <set>

#include <nib/error.hpp>

#include "io/json.hpp"

namespace nib::io {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

void write_safetensors(const std::filesystem::path& path, std::span<const F32Tensor> tensors,
                       const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    std::int64_t numel = 1;
    for (auto d : t.shape) {
      if (d < 0)
        throw Error(Status::InvalidArgument, "safetensors writer: " + t.name + " has a negative dim");
      numel *= d;
    }
    if (static_cast<std::size_t>(numel) != t.data.size()) {
      throw Error(Status::InvalidArgument, "safetensors writer: " + t.name + " has " +
                                               std::to_string(t.data.size()) + " values for " +
                                               std::to_string(numel) + " elements");
    }
    if (t.name.empty() || t.name == "__metadata__" || !names.insert(t.name).second) {
      throw Error(Status::InvalidArgument,
                  "safetensors writer: tensor name \"" + t.name + "\" is empty, reserved or repeated");
    }
    const std::uint64_t bytes = t.data.size() * sizeof(float);
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const std::uint64_t len = text.size();

  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(Status::Io, path.string() + ": cannot open for writing");
    char len_bytes[8];
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<char>(len >> (8 * i) & 0xff);
    out.write(len_bytes, 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : tensors) {
      out.write(reinterpret_cast<const char*>(t.data.data()),
                static_cast<std::streamsize>(t.data.size_bytes()));
    }
    out.flush();
    if (!out) throw Error(Status::Io, path.string() + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error(Status::Io, path.string() + ": cannot move the written file into place");
  }
}

}  // namespace nib::io
