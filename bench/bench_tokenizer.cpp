// Tokenizer throughput: encodes ~1 MB of mixed-language text (the shared corpus repeated) with
// the gpt2, bert-base-uncased, llama2 (sentencepiece) and phi-3-mini (Llama vocab as
// tokenizer.json) tokenizers; prints one JSON line per tokenizer with MB/s and tokens/s.
// Usage: bench_tokenizer [SHARED_DIR] [--threads N]   (SHARED_DIR defaults to $NIB_SHARED or ../shared)
#include <nib/tokenizer.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "io/json.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  fs::path shared = std::getenv("NIB_SHARED") ? fs::path(std::getenv("NIB_SHARED")) : fs::path("../shared");
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else {
      shared = argv[i];
    }
  }
  auto corpus = nib::io::read_json_file(shared / "tokenizers" / "corpus.json");
  // One document per corpus line, repeated to ~1 MB; encoded line by line as a batch would be.
  std::vector<std::string> lines;
  std::size_t bytes = 0;
  while (bytes < (1u << 20)) {
    for (const auto& s : corpus) {
      lines.push_back(s.get<std::string>());
      bytes += lines.back().size();
    }
  }
  for (const char* name : {"gpt2", "bert-base-uncased", "llama2", "phi-3-mini"}) {
    auto tok = nib::Tokenizer::load(shared / "tokenizers" / name);
    for (std::size_t i = 0; i < 200; ++i) tok.encode(lines[i]);  // warm-up
    double best = 1e30;
    std::size_t tokens = 0;
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<std::size_t> counts(static_cast<std::size_t>(threads), 0);
      auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          for (std::size_t i = static_cast<std::size_t>(t); i < lines.size();
               i += static_cast<std::size_t>(threads)) {
            counts[static_cast<std::size_t>(t)] += tok.encode(lines[i]).ids.size();
          }
        });
      }
      for (auto& th : pool) th.join();
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::min(best, s);
      tokens = 0;
      for (auto c : counts) tokens += c;
    }
    std::cout << "{\"tokenizer\":\"" << name << "\",\"kind\":\"" << tok.kind() << "\",\"bytes\":" << bytes
              << ",\"tokens\":" << tokens << ",\"threads\":" << threads << ",\"seconds\":" << best
              << ",\"MB_per_s\":" << static_cast<double>(bytes) / 1e6 / best
              << ",\"tokens_per_s\":" << static_cast<double>(tokens) / best << "}" << std::endl;
  }
  return 0;
}
