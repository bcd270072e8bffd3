#include "runtime/head_files.hpp"

#include <cmath>
#include <fstream>
#include <set>

#include <nib/error.hpp>

#include "io/json.hpp"
#include "io/safetensors.hpp"
#include "io/safetensors_writer.hpp"

namespace nib::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "nib-task-head";
constexpr std::int64_t kVersion = 1;

Pooling parse_pooling(const io::JsonView& c) {
  const auto name = c.get_string("pooling");
  for (auto p : {Pooling::Mean, Pooling::Cls, Pooling::LastToken}) {
    if (name == pooling_name(p)) return p;
  }
  c.fail("pooling", "\"" + name + "\" is not one of mean, cls, last_token");
}

std::vector<float> read_tensor(const io::SafetensorsFile& file, const std::string& name,
                               std::vector<std::int64_t> shape) {
  const auto* t = file.find(name);
  const auto where = file.path().string();
  if (!t) throw Error(Status::Format, where + ": tensor " + name + " is missing");
  if (t->shape != shape) {
    io::TensorView want{name, io::DType::F32, shape, {}};
    throw Error(Status::Format, where + ": tensor " + t->describe() + " should be " + want.describe());
  }
  if (t->dtype != io::DType::F32 && t->dtype != io::DType::F16 && t->dtype != io::DType::BF16 &&
      t->dtype != io::DType::F64) {
    throw Error(Status::Format, where + ": tensor " + t->describe() + " is not a float tensor");
  }
  auto values = io::to_f32(*t);
  for (float v : values) {
    if (!std::isfinite(v))
      throw Error(Status::Format, where + ": tensor " + name + " holds a non-finite value");
  }
  return values;
}

}  // namespace

const char* pooling_name(Pooling p) {
  switch (p) {
    case Pooling::Mean: return "mean";
    case Pooling::Cls: return "cls";
    case Pooling::LastToken: return "last_token";
    case Pooling::Auto: return "auto";
  }
  return "unknown";
}

void save_head(const HeadImpl& h, const fs::path& dir) {
  const auto& i = h.info;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(Status::Io, dir.string() + ": cannot create the folder (" + ec.message() + ")");
  std::vector<io::F32Tensor> tensors;
  if (i.hidden_units > 0) {
    tensors.push_back({"hidden.weight", {i.hidden_units, i.feature_dim}, h.hidden_weight});
    tensors.push_back({"hidden.bias", {i.hidden_units}, h.hidden_bias});
  }
  tensors.push_back({"classifier.weight", {std::ssize(i.labels), h.out_inputs()}, h.out_weight});
  tensors.push_back({"classifier.bias", {std::ssize(i.labels)}, h.out_bias});
  io::write_safetensors(dir / kHeadWeightsFile, tensors, {{"format", "pt"}});

  io::Json config = {
      {"format", kFormat},
      {"version", kVersion},
      {"labels", i.labels},
      {"output", i.multi_label ? "sigmoid" : "softmax"},
      {"pooling", pooling_name(i.pooling)},
      {"normalize", i.normalize},
      {"feature_dim", i.feature_dim},
      {"hidden_units", i.hidden_units},
      {"hidden_activation", "relu"},
      {"base_model", {{"architecture", i.base_architecture}, {"weights_checksum", i.base_checksum}}},
  };
  const auto path = dir / kHeadConfigFile;
  std::ofstream out(path, std::ios::trunc);
  out << config.dump(2) << "\n";
  if (!out) throw Error(Status::Io, path.string() + ": write failed");
}

HeadImpl load_head(const fs::path& dir) {
  const auto config_path = dir / kHeadConfigFile;
  if (!fs::exists(config_path))
    throw Error(Status::Io, config_path.string() + ": no such file (not a head folder)");
  const auto json = io::read_json_file(config_path);
  if (!json.is_object()) throw Error(Status::Format, config_path.string() + ": not a JSON object");
  const io::JsonView c(json, config_path.string());
  if (c.get_string("format") != kFormat) c.fail("format", "is not \"" + std::string(kFormat) + "\"");
  if (const auto v = c.get_int("version"); v != kVersion) {
    throw Error(Status::Unsupported, config_path.string() + ": head format version " + std::to_string(v) +
                                         " (this nib reads version " + std::to_string(kVersion) + ")");
  }
  HeadImpl h;
  auto& i = h.info;
  i.path = dir;
  i.labels = c.get_strings("labels");
  const auto output = c.get_string("output");
  if (output != "softmax" && output != "sigmoid") c.fail("output", "must be \"softmax\" or \"sigmoid\"");
  i.multi_label = output == "sigmoid";
  if (i.labels.size() < (i.multi_label ? 1u : 2u)) {
    c.fail("labels", i.multi_label ? "must hold at least one label" : "must hold at least two labels");
  }
  if (std::set<std::string>(i.labels.begin(), i.labels.end()).size() != i.labels.size()) {
    c.fail("labels", "repeats a label");
  }
  i.pooling = parse_pooling(c);
  i.normalize = c.get_bool("normalize");
  i.feature_dim = c.get_int("feature_dim");
  if (i.feature_dim <= 0 || i.feature_dim > (1 << 20)) c.fail("feature_dim", "must be in [1, 1048576]");
  i.hidden_units = c.get_int("hidden_units", 0);
  if (i.hidden_units < 0 || i.hidden_units > (1 << 16)) c.fail("hidden_units", "must be in [0, 65536]");
  if (i.hidden_units > 0 && c.get_string("hidden_activation", "relu") != "relu") {
    c.fail("hidden_activation", "must be \"relu\"");
  }
  const auto base = c.at("base_model");
  i.base_architecture = base.get_string("architecture");
  i.base_checksum = base.get_string("weights_checksum");

  const io::SafetensorsFile file(dir / kHeadWeightsFile);
  const auto k = std::ssize(i.labels);
  std::set<std::string> expected = {"classifier.weight", "classifier.bias"};
  if (i.hidden_units > 0) {
    h.hidden_weight = read_tensor(file, "hidden.weight", {i.hidden_units, i.feature_dim});
    h.hidden_bias = read_tensor(file, "hidden.bias", {i.hidden_units});
    expected.insert({"hidden.weight", "hidden.bias"});
  }
  h.out_weight = read_tensor(file, "classifier.weight", {k, h.out_inputs()});
  h.out_bias = read_tensor(file, "classifier.bias", {k});
  for (const auto& t : file.tensors()) {
    if (!expected.contains(t.name)) {
      throw Error(Status::Format, file.path().string() + ": unexpected tensor " + t.describe());
    }
  }
  return h;
}

}  // namespace nib::detail
