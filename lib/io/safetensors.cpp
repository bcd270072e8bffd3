#include "io/safetensors.hpp"

#include <algorithm>
#include <cstring>

#include <nib/error.hpp>

#include "io/checked.hpp"
#include "io/json.hpp"

namespace nib::io {

std::int64_t TensorView::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string TensorView::describe() const {
  std::string s = name + " [";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "] " + dtype_name(dtype);
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : file_(path) {
  parse();
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                             [](const TensorView& t, std::string_view n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

// Rules (those of the reference implementation): the header length fits in the file and under
// kMaxHeaderBytes; the header is a strict JSON object; each tensor has a known dtype, a shape of
// non-negative dims whose product times the dtype size equals its byte range without overflow;
// the ranges lie inside the buffer, do not overlap, and together cover it exactly.
void SafetensorsFile::parse() {
  const std::string where = file_.path().string();
  auto bytes = file_.bytes();
  if (bytes.size() < 8) {
    throw Error(Status::Format, where + ": truncated safetensors file (" + std::to_string(bytes.size()) +
                                    " bytes, need at least 8 for the header length)");
  }
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | bytes[static_cast<std::size_t>(i)];
  if (header_len > kMaxHeaderBytes) {
    throw Error(Status::Format, where + ": safetensors header length " + std::to_string(header_len) +
                                    " exceeds the limit of " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (header_len > bytes.size() - 8) {
    throw Error(Status::Format, where + ": safetensors header length " + std::to_string(header_len) +
                                    " runs past the end of the file (" + std::to_string(bytes.size()) +
                                    " bytes)");
  }
  std::string_view header(reinterpret_cast<const char*>(bytes.data() + 8), header_len);
  Json doc = parse_json(header, where + " (safetensors header)");
  if (!doc.is_object()) throw Error(Status::Format, where + ": safetensors header is not a JSON object");
  const auto buffer = bytes.subspan(8 + header_len);

  struct Range {
    std::uint64_t begin, end;
    const std::string* name;
  };
  std::vector<Range> ranges;
  for (auto& [name, entry] : doc.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(Status::Format, where + ": __metadata__ is not an object");
      for (auto& [k, v] : entry.items()) {
        if (!v.is_string()) {
          throw Error(Status::Format, where + ": __metadata__ key \"" + k + "\" is not a string");
        }
        metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string tw = where + ": tensor \"" + name + "\"";
    JsonView e(entry, tw);
    TensorView t;
    t.name = name;
    auto dt = e.get_string("dtype");
    auto parsed = parse_dtype(dt);
    if (!parsed) throw Error(Status::Format, tw + ": unknown dtype \"" + dt + "\"");
    t.dtype = *parsed;
    if (!entry.contains("shape") || !entry["shape"].is_array()) {
      throw Error(Status::Format, tw + ": shape is missing or not an array");
    }
    const Json& shape = entry["shape"];
    if (shape.size() > 8) throw Error(Status::Format, tw + ": shape has more than 8 dimensions");
    std::uint64_t numel = 1;
    for (const auto& d : shape) {
      if (!d.is_number_unsigned())
        throw Error(Status::Format, tw + ": shape entries must be non-negative integers");
      auto dim = d.get<std::uint64_t>();
      if (dim > static_cast<std::uint64_t>(INT64_MAX))
        throw Error(Status::Format, tw + ": dimension too large");
      numel = checked_mul(numel, dim, tw + ": shape");
      t.shape.push_back(static_cast<std::int64_t>(dim));
    }
    std::uint64_t nbytes = checked_mul(numel, dtype_size(t.dtype), tw + ": byte size");
    if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2 || !entry["data_offsets"][0].is_number_unsigned() ||
        !entry["data_offsets"][1].is_number_unsigned()) {
      throw Error(Status::Format, tw + ": data_offsets must be two non-negative integers");
    }
    auto begin = entry["data_offsets"][0].get<std::uint64_t>();
    auto end = entry["data_offsets"][1].get<std::uint64_t>();
    if (end < begin) throw Error(Status::Format, tw + ": data_offsets end before begin");
    if (end > buffer.size()) {
      throw Error(Status::Format, tw + ": data_offsets [" + std::to_string(begin) + ", " +
                                      std::to_string(end) + ") out of range of the " +
                                      std::to_string(buffer.size()) + "-byte buffer");
    }
    if (end - begin != nbytes) {
      throw Error(Status::Format, tw + ": shape × dtype size is " + std::to_string(nbytes) +
                                      " bytes but data_offsets span " + std::to_string(end - begin));
    }
    t.bytes = buffer.subspan(begin, end - begin);
    tensors_.push_back(std::move(t));
  }
  for (const auto& t : tensors_) {
    auto begin = static_cast<std::uint64_t>(t.bytes.data() - buffer.data());
    ranges.push_back({begin, begin + t.bytes.size(), &t.name});
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t pos = 0;
  for (const auto& r : ranges) {
    if (r.begin < pos) {
      throw Error(Status::Format, where + ": tensor \"" + *r.name + "\" overlaps the previous tensor's data");
    }
    if (r.begin > pos) {
      throw Error(Status::Format, where + ": gap in the data buffer before tensor \"" + *r.name + "\"");
    }
    pos = r.end;
  }
  if (pos != buffer.size()) {
    throw Error(Status::Format, where + ": the tensors cover " + std::to_string(pos) + " of the " +
                                    std::to_string(buffer.size()) + " buffer bytes");
  }
  std::sort(tensors_.begin(), tensors_.end(),
            [](const TensorView& a, const TensorView& b) { return a.name < b.name; });
}

std::vector<float> to_f32(const TensorView& t) {
  auto n = static_cast<std::size_t>(t.numel());
  std::vector<float> out(n);
  const auto* p = t.bytes.data();
  switch (t.dtype) {
    case DType::F32: std::memcpy(out.data(), p, n * 4); break;
    case DType::F64:
      for (std::size_t i = 0; i < n; ++i) {
        double d;
        std::memcpy(&d, p + 8 * i, 8);
        out[i] = static_cast<float>(d);
      }
      break;
    case DType::F16:
    case DType::BF16:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        out[i] = t.dtype == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
      }
      break;
    default: throw Error(Status::Unsupported, "tensor " + t.describe() + " is not a floating-point tensor");
  }
  return out;
}

}  // namespace nib::io
