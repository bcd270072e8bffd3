// Tokenizer throughput: encodes ~1 MB of mixed-language text (the shared corpus repeated, one
// document per corpus entry, encoded document by document as a batch would be) with the gpt2,
// bert-base-uncased, llama2 (sentencepiece) and phi-3-mini (Llama vocab as tokenizer.json)
// tokenizers; prints one JSON line per tokenizer with MB/s, tokens/s and an FNV-1a hash of all ids
// (bench/tokenizer-vs-hf compares it with the Hugging Face reference's).
// Usage: bench_tokenizer [SHARED_DIR] [--threads N] [--reps N] [--only NAME[,NAME...]]
//                        [--text FILE | --write-text FILE]
//   SHARED_DIR defaults to $NIB_SHARED or ../shared; FILE is a JSON array of document strings.
#include <nib/tokenizer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "io/json.hpp"

namespace fs = std::filesystem;

namespace {

// The shared corpus repeated until it holds at least 1 MiB of UTF-8.
std::vector<std::string> build_text(const fs::path& shared) {
  auto corpus = nib::io::read_json_file(shared / "tokenizers" / "corpus.json");
  std::vector<std::string> docs;
  std::size_t bytes = 0;
  while (bytes < (1u << 20)) {
    for (const auto& s : corpus) {
      docs.push_back(s.get<std::string>());
      bytes += docs.back().size();
    }
  }
  return docs;
}

// 32-bit FNV-1a over the ids of every document in order (mirrored in bench/tokenizer-vs-hf).
std::uint32_t fnv1a(std::uint32_t h, const std::vector<nib::TokenId>& ids) {
  for (auto id : ids) {
    h ^= static_cast<std::uint32_t>(id);
    h *= 16777619u;
  }
  return h;
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path shared = std::getenv("NIB_SHARED") ? fs::path(std::getenv("NIB_SHARED")) : fs::path("../shared");
  int threads = 1, reps = 3;
  std::string text_file, write_file;
  std::vector<std::string> names = {"gpt2", "bert-base-uncased", "llama2", "phi-3-mini"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--threads" && has_value) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--reps" && has_value) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--only" && has_value) {
      names = split_names(argv[++i]);
    } else if (arg == "--text" && has_value) {
      text_file = argv[++i];
    } else if (arg == "--write-text" && has_value) {
      write_file = argv[++i];
    } else {
      shared = arg;
    }
  }
  try {
    std::vector<std::string> docs;
    if (text_file.empty()) {
      docs = build_text(shared);
    } else {
      for (const auto& s : nib::io::read_json_file(text_file)) docs.push_back(s.get<std::string>());
    }
    if (!write_file.empty()) {
      std::ofstream(write_file) << nib::io::Json(docs).dump() << '\n';
      return 0;
    }
    std::size_t bytes = 0;
    for (const auto& d : docs) bytes += d.size();
    for (const auto& name : names) {
      auto tok = nib::Tokenizer::load(shared / "tokenizers" / name);
      for (std::size_t i = 0; i < std::min<std::size_t>(200, docs.size()); ++i)
        tok.encode(docs[i]);                // warm-up
      double best = 1e30, best_cpu = 1e30;  // wall and process CPU seconds (CPU is steadier under load)
      std::size_t tokens = 0;
      std::uint32_t hash = 2166136261u;
      for (int rep = 0; rep < reps; ++rep) {
        std::vector<std::vector<nib::TokenId>> ids(docs.size());
        auto t0 = std::chrono::steady_clock::now();
        std::clock_t c0 = std::clock();
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
          pool.emplace_back([&, t] {
            for (std::size_t i = static_cast<std::size_t>(t); i < docs.size();
                 i += static_cast<std::size_t>(threads)) {
              ids[i] = tok.encode(docs[i]).ids;
            }
          });
        }
        for (auto& th : pool) th.join();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        best_cpu = std::min(best_cpu, static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
        tokens = 0;
        hash = 2166136261u;
        for (const auto& v : ids) {
          tokens += v.size();
          hash = fnv1a(hash, v);
        }
      }
      std::cout << "{\"tokenizer\":\"" << name << "\",\"kind\":\"" << tok.kind()
                << "\",\"docs\":" << docs.size() << ",\"bytes\":" << bytes << ",\"tokens\":" << tokens
                << ",\"ids_fnv1a\":" << hash << ",\"threads\":" << threads << ",\"seconds\":" << best
                << ",\"cpu_seconds\":" << best_cpu
                << ",\"MB_per_s\":" << static_cast<double>(bytes) / 1e6 / best
                << ",\"tokens_per_s\":" << static_cast<double>(tokens) / best << "}" << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_tokenizer: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
