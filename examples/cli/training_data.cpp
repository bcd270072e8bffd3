#include "training_data.hpp"

#include <nib/error.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

namespace nib::cli {

namespace {

std::vector<std::string> split_labels(const std::string& field, bool multi_label) {
  if (!multi_label) return {field};
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma; (comma = field.find(',', start)) != std::string::npos; start = comma + 1) {
    out.push_back(field.substr(start, comma - start));
  }
  out.push_back(field.substr(start));
  std::erase(out, std::string());
  return out;
}

LabelledText from_json(const nlohmann::json& j, bool multi_label) {
  if (!j.is_object()) throw std::runtime_error("not a JSON object");
  if (!j.contains("text") || !j["text"].is_string()) throw std::runtime_error("\"text\" must be a string");
  LabelledText e{j["text"].get<std::string>(), {}};
  const auto& l = j.contains("labels") ? j["labels"] : j.contains("label") ? j["label"] : nlohmann::json();
  if (l.is_string()) {
    e.labels = split_labels(l.get<std::string>(), multi_label);
  } else if (l.is_array() && std::all_of(l.begin(), l.end(), [](const auto& v) { return v.is_string(); })) {
    e.labels = l.get<std::vector<std::string>>();
  } else {
    throw std::runtime_error("\"label\" must be a string (or \"labels\" an array of strings)");
  }
  return e;
}

}  // namespace

std::vector<LabelledText> read_training_data(const std::filesystem::path& file, bool multi_label) {
  std::ifstream in(file);
  if (!in) throw Error(Status::Io, file.string() + ": cannot open the training data");
  std::vector<LabelledText> out;
  std::optional<bool> jsonl;
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!jsonl) jsonl = line[line.find_first_not_of(" \t")] == '{';
    const auto where = file.string() + ":" + std::to_string(number) + ": ";
    if (*jsonl) {
      try {
        out.push_back(from_json(nlohmann::json::parse(line), multi_label));
      } catch (const std::exception& e) {
        throw Error(Status::Format, where + e.what());
      }
    } else {
      const auto tab = line.find('\t');
      if (tab == std::string::npos) throw Error(Status::Format, where + "expected label<TAB>text");
      out.push_back({line.substr(tab + 1), split_labels(line.substr(0, tab), multi_label)});
    }
  }
  if (out.empty()) throw Error(Status::InvalidArgument, file.string() + ": no examples");
  return out;
}

}  // namespace nib::cli
