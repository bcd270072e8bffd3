// The safetensors reader on well-formed files and on a corpus of deliberately broken ones: each
// broken file must give nib::Error with Status::Format and a message naming the culprit.
#include <doctest/doctest.h>

#include <nib/error.hpp>
#include <nib/model.hpp>

#include "file_builders.hpp"
#include "io/safetensors.hpp"
#include "io/weight_store.hpp"
#include "shared_data.hpp"

using nib::Status;
using namespace nib::test;

namespace {

std::filesystem::path write_st(const std::string& name, const std::string& bytes) {
  auto dir = scratch_dir("io_safetensors");
  auto p = dir / (name + ".safetensors");
  write_file(p, bytes);
  return p;
}

// Expects a Format error whose message contains `needle`.
void expect_format_error(const std::string& name, const std::string& bytes, const std::string& needle) {
  auto p = write_st(name, bytes);
  try {
    nib::io::SafetensorsFile f(p);
    FAIL("expected a format error for case " << name);
  } catch (const nib::Error& e) {
    CHECK_MESSAGE(e.status() == Status::Format, name << ": " << e.what());
    CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos,
                  name << ": message \"" << e.what() << "\" should mention \"" << needle << "\"");
    CHECK_MESSAGE(std::string(e.what()).find(p.string()) != std::string::npos,
                  name << ": message names the file");
  }
}

std::string header_with(const std::string& tensor_json, std::size_t buffer_bytes) {
  std::string h = "{" + tensor_json + "}";
  std::string out = safetensors_bytes({}, h);
  return out + std::string(buffer_bytes, '\0');
}

}  // namespace

TEST_CASE("safetensors: a well-formed file with every dtype and metadata") {
  std::vector<TensorSpec> specs = {
      {"a", "F32", {2, 3}, f32_bytes({1, 2, 3, 4, 5, 6})},
      {"b", "F16", {2}, {0x00, 0x3c, 0x00, 0xc0}},   // 1.0, -2.0
      {"c", "BF16", {2}, {0x80, 0x3f, 0x40, 0x40}},  // 1.0, 3.0
      {"d", "I64", {1}, std::vector<std::uint8_t>(8, 0)},
      {"e", "BOOL", {3}, {1, 0, 1}},
      {"f", "U8", {0}, {}},
      {"g", "I8", {1}, {0xff}},
      {"h", "I16", {1}, {1, 0}},
      {"i", "I32", {1}, {1, 0, 0, 0}},
      {"j", "F64", {1}, {0, 0, 0, 0, 0, 0, 0xf0, 0x3f}},  // 1.0
  };
  auto bytes = safetensors_bytes(specs);
  // Re-serialise with metadata by hand.
  auto p = write_st("good", bytes);
  nib::io::SafetensorsFile f(p);
  REQUIRE(f.tensors().size() == specs.size());
  const auto* a = f.find("a");
  REQUIRE(a != nullptr);
  CHECK(a->shape == std::vector<std::int64_t>{2, 3});
  CHECK(nib::io::to_f32(*a) == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(nib::io::to_f32(*f.find("b")) == std::vector<float>{1.f, -2.f});
  CHECK(nib::io::to_f32(*f.find("c")) == std::vector<float>{1.f, 3.f});
  CHECK(nib::io::to_f32(*f.find("j")) == std::vector<float>{1.f});
  CHECK(f.find("f")->numel() == 0);
  CHECK(f.find("missing") == nullptr);
  CHECK_THROWS_AS(nib::io::to_f32(*f.find("d")), nib::Error);
}

TEST_CASE("safetensors: __metadata__ is kept") {
  std::string h =
      R"({"__metadata__":{"format":"pt","note":"x"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  auto p = write_st("meta", safetensors_bytes({}, h) + std::string(4, '\0'));
  nib::io::SafetensorsFile f(p);
  CHECK(f.metadata().at("format") == "pt");
  CHECK(f.metadata().at("note") == "x");
  CHECK(f.tensors().size() == 1);
}

TEST_CASE("safetensors: f16 subnormals, infinities and bf16 widen exactly") {
  CHECK(nib::io::f16_to_f32(0x0001) == doctest::Approx(5.9604645e-08f).epsilon(1e-6));
  CHECK(nib::io::f16_to_f32(0x7c00) == std::numeric_limits<float>::infinity());
  CHECK(nib::io::f16_to_f32(0x8000) == 0.f);
  CHECK(nib::io::f16_to_f32(0x3555) == doctest::Approx(0.333251953125f));
  CHECK(nib::io::bf16_to_f32(0xc049) == doctest::Approx(-3.140625f));
}

TEST_CASE("safetensors: malformed files give format errors naming the problem") {
  expect_format_error("truncated", std::string(5, '\0'), "truncated");
  {
    std::string b(8, '\0');
    b[0] = 100;  // header of 100 bytes in a file that has none
    expect_format_error("header_past_eof", b + "{}", "past the end");
  }
  {
    std::string b(8, '\0');
    std::uint64_t n = 1ull << 30;  // 1 GB header claimed
    for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    expect_format_error("huge_header", b + "{}", "exceeds the limit");
  }
  expect_format_error("invalid_json", safetensors_bytes({}, "{\"a\": [1, 2"), "invalid JSON");
  expect_format_error("trailing_comma", safetensors_bytes({}, "{\"a\":{},}"), "invalid JSON");
  expect_format_error("not_object", safetensors_bytes({}, "[1,2,3]"), "not a JSON object");
  expect_format_error("overlap",
                      header_with(R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]})",
                                  12),
                      "overlaps");
  expect_format_error("out_of_range",
                      header_with(R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})", 8),
                      "out of range");
  expect_format_error("shape_mismatch",
                      header_with(R"("a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]})", 8),
                      "tensor \"a\": shape × dtype size is 12 bytes but data_offsets span 8");
  expect_format_error("unknown_dtype",
                      header_with(R"("a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]})", 1),
                      "unknown dtype \"F8\"");
  expect_format_error("negative_dim",
                      header_with(R"("a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]})", 4),
                      "non-negative");
  expect_format_error(
      "shape_overflow",
      header_with(R"("a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]})", 4),
      "overflow");
  expect_format_error("offsets_type",
                      header_with(R"("a":{"dtype":"F32","shape":[1],"data_offsets":"0-4"})", 4),
                      "data_offsets");
  expect_format_error("offsets_reversed",
                      header_with(R"("a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]})", 4),
                      "end before begin");
  expect_format_error("missing_dtype", header_with(R"("a":{"shape":[1],"data_offsets":[0,4]})", 4), "dtype");
  expect_format_error("missing_shape", header_with(R"("a":{"dtype":"F32","data_offsets":[0,4]})", 4),
                      "shape");
  expect_format_error("gap", header_with(R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]})", 8),
                      "gap");
  expect_format_error("trailing_bytes",
                      header_with(R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})", 12), "cover");
  expect_format_error("metadata_type", header_with(R"("__metadata__":{"k":1})", 0), "__metadata__");
  expect_format_error("tensor_not_object", header_with(R"("a":5)", 0),
                      "tensor \"a\": expected a JSON object");
}

TEST_CASE("safetensors: more hostile headers, each named in the error") {
  struct Case {
    const char* name;
    std::string bytes;
    const char* needle;
  };
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const Case cases[] = {
      {"empty_file", "", "truncated"},
      {"empty_header", safetensors_bytes({}, " "), "invalid JSON"},
      {"duplicate_name",
       header_with(R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                   R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]})",
                   8),
       "duplicate key \"a\""},
      {"deep_nesting", safetensors_bytes({}, "{\"a\":" + deep + "}"), "nested deeper than 64"},
      {"invalid_utf8_name",
       header_with("\"\xff\xfe\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4),
       "invalid JSON"},
      {"dim_beyond_int64",
       header_with(R"("a":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,1]})", 1),
       "tensor \"a\": dimension too large"},
      {"shape_product_overflow_three_dims",
       header_with(R"("a":{"dtype":"U8","shape":[4194304,4194304,4194304],"data_offsets":[0,1]})", 1),
       "tensor \"a\": shape: size overflows"},
      {"bytes_overflow",  // numel fits in 64 bits, times 8 bytes (F64) does not
       header_with(R"("a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]})", 8),
       "tensor \"a\": byte size: size overflows"},
      {"nine_dims", header_with(R"("a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]})", 1),
       "more than 8 dimensions"},
      {"float_dim", header_with(R"("a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]})", 1),
       "shape entries must be non-negative integers"},
      {"three_offsets", header_with(R"("a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]})", 2),
       "data_offsets must be two non-negative integers"},
      {"negative_offset", header_with(R"("a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]})", 1),
       "data_offsets must be two"},
      {"offset_beyond_file",
       header_with(
           R"("a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551614,18446744073709551615]})", 1),
       "out of range"},
      {"dtype_wrong_type", header_with(R"("a":{"dtype":32,"shape":[1],"data_offsets":[0,4]})", 4),
       "key \"dtype\": expected a string"},
      {"lowercase_dtype", header_with(R"("a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]})", 4),
       "unknown dtype \"f32\""},
      {"metadata_not_object", header_with(R"("__metadata__":[1])", 0), "__metadata__ is not an object"},
      {"out_of_order_overlap",  // listed in order, ranges reversed and overlapping
       header_with(R"("a":{"dtype":"U8","shape":[4],"data_offsets":[2,6]},)"
                   R"("b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]})",
                   6),
       "tensor \"a\" overlaps"},
      {"string_header", safetensors_bytes({}, "\"a string\""), "not a JSON object"},
  };
  for (const auto& c : cases) expect_format_error(c.name, c.bytes, c.needle);
}

TEST_CASE("safetensors: a model whose tensors claim more bytes than its file is refused before allocating") {
  auto dir = scratch_dir("io_claims_more");
  copy_model_folder(shared_path("models/stories260K"), dir);
  // The embedding claims 2^40 floats (4 TB) backed by an 8-byte buffer.
  write_file(dir / "model.safetensors",
             header_with(R"("model.embed_tokens.weight":{"dtype":"F32","shape":[1099511627776],)"
                         R"("data_offsets":[0,4398046511104]})",
                         8));
  for (std::uint64_t cap : {std::uint64_t{0}, std::uint64_t{1} << 50}) {
    nib::LoadOptions o;
    o.max_memory_bytes = cap;
    try {
      nib::Model::load(dir, o);
      FAIL("loaded a model whose tensor lies outside its file");
    } catch (const nib::Error& e) {
      CHECK(e.status() == Status::Format);
      CHECK_MESSAGE(
          std::string(e.what()).find("\"model.embed_tokens.weight\": data_offsets") != std::string::npos,
          e.what());
    }
  }
}

TEST_CASE("safetensors: a missing file is an io error naming it") {
  try {
    nib::io::SafetensorsFile f(scratch_dir("io_missing") / "nope.safetensors");
    FAIL("expected an error");
  } catch (const nib::Error& e) {
    CHECK(e.status() == Status::Io);
    CHECK(std::string(e.what()).find("nope.safetensors") != std::string::npos);
  }
}

TEST_CASE("weight store: sharded checkpoints through model.safetensors.index.json") {
  auto dir = scratch_dir("io_sharded");
  write_file(dir / "model-00001-of-00002.safetensors",
             safetensors_bytes({{"x", "F32", {2}, f32_bytes({1, 2})}}));
  write_file(dir / "model-00002-of-00002.safetensors",
             safetensors_bytes({{"y", "F32", {1}, f32_bytes({3})}}));
  write_file(dir / "model.safetensors.index.json",
             R"({"metadata":{"total_size":12},"weight_map":{"x":"model-00001-of-00002.safetensors",)"
             R"("y":"model-00002-of-00002.safetensors"}})");
  auto store = nib::io::WeightStore::open(dir);
  CHECK(store.tensors().size() == 2);
  CHECK(nib::io::to_f32(store.require("y")) == std::vector<float>{3});
  CHECK(store.files().size() == 2);
  try {
    store.require("z");
    FAIL("expected an error");
  } catch (const nib::Error& e) {
    CHECK(std::string(e.what()).find("\"z\"") != std::string::npos);
  }

  SUBCASE("a tensor listed but absent") {
    write_file(
        dir / "model.safetensors.index.json",
        R"({"weight_map":{"x":"model-00001-of-00002.safetensors","w":"model-00002-of-00002.safetensors"}})");
    CHECK_THROWS_WITH_AS(nib::io::WeightStore::open(dir), doctest::Contains("\"w\""), nib::Error);
  }
  SUBCASE("a shard path that leaves the folder") {
    write_file(dir / "model.safetensors.index.json", R"({"weight_map":{"x":"../model.safetensors"}})");
    CHECK_THROWS_WITH_AS(nib::io::WeightStore::open(dir), doctest::Contains("plain file name"), nib::Error);
  }
  SUBCASE("the same tensor in two shards") {
    write_file(dir / "model-00002-of-00002.safetensors",
               safetensors_bytes({{"x", "F32", {1}, f32_bytes({3})}}));
    write_file(
        dir / "model.safetensors.index.json",
        R"({"weight_map":{"x":"model-00001-of-00002.safetensors","y":"model-00002-of-00002.safetensors"}})");
    CHECK_THROWS_WITH_AS(nib::io::WeightStore::open(dir), doctest::Contains("another shard"), nib::Error);
  }
  SUBCASE("weight_map of the wrong type") {
    write_file(dir / "model.safetensors.index.json", R"({"weight_map":["x"]})");
    CHECK_THROWS_WITH_AS(nib::io::WeightStore::open(dir), doctest::Contains("weight_map"), nib::Error);
  }
}
