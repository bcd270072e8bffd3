#include "io/weight_store.hpp"

#include <set>

#include <nib/error.hpp>

#include "io/json.hpp"

namespace nib::io {

namespace fs = std::filesystem;

void WeightStore::add(std::unique_ptr<SafetensorsFile> file) {
  for (const auto& t : file->tensors()) {
    if (!index_.emplace(t.name, &t).second) {
      throw Error(Status::Format,
                  file->path().string() + ": tensor \"" + t.name + "\" also appears in another shard");
    }
  }
  files_.push_back(std::move(file));
}

WeightStore WeightStore::open_files(const std::vector<fs::path>& files) {
  WeightStore store;
  for (const auto& f : files) store.add(std::make_unique<SafetensorsFile>(f));
  store.where_ = files.empty() ? std::string("(no files)") : files.front().parent_path().string();
  return store;
}

WeightStore WeightStore::open(const fs::path& dir) {
  const auto single = dir / "model.safetensors";
  const auto index_path = dir / "model.safetensors.index.json";
  if (fs::exists(single)) return open_files({single});
  if (!fs::exists(index_path)) {
    throw Error(Status::Io, dir.string() +
                                ": no model.safetensors or model.safetensors.index.json (only "
                                "safetensors checkpoints are supported)");
  }
  Json doc = read_json_file(index_path);
  JsonView index(doc, index_path.string());
  JsonView map = index.at("weight_map");
  std::map<std::string, std::string> wanted;  // tensor -> shard file
  std::set<std::string> shards;
  for (auto& [name, file] : map.json().items()) {
    if (!file.is_string()) map.fail(name, "expected a shard file name");
    auto f = file.get<std::string>();
    if (f.empty() || f.find('/') != std::string::npos || f.find('\\') != std::string::npos || f == "." ||
        f == "..") {
      map.fail(name, "shard file name \"" + f + "\" must be a plain file name in the folder");
    }
    wanted[name] = f;
    shards.insert(f);
  }
  std::vector<fs::path> files;
  for (const auto& s : shards) files.push_back(dir / s);
  WeightStore store = open_files(files);
  store.where_ = dir.string();
  for (const auto& [name, file] : wanted) {
    auto it = store.index_.find(name);
    if (it == store.index_.end()) {
      throw Error(Status::Format, index_path.string() + ": tensor \"" + name +
                                      "\" listed in weight_map is missing from " + file);
    }
  }
  return store;
}

const TensorView* WeightStore::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

const TensorView& WeightStore::require(std::string_view name) const {
  if (const auto* t = find(name)) return *t;
  throw Error(Status::Format, where_ + ": missing tensor \"" + std::string(name) + "\"");
}

std::vector<fs::path> WeightStore::files() const {
  std::vector<fs::path> out;
  for (const auto& f : files_) out.push_back(f->path());
  return out;
}

void WeightStore::drop_resident(const TensorView& t) const noexcept {
  for (const auto& f : files_) f->drop_resident(t);
}

}  // namespace nib::io
