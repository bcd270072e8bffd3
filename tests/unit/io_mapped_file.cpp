// MappedFile::drop_resident: the pages of a range leave the process's resident set (what RSS counts)
// and read back unchanged; ranges outside the mapping, e.g. heap memory, are left alone.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "file_builders.hpp"
#include "io/mapped_file.hpp"
#include "proc_smaps.hpp"
#include "shared_data.hpp"

using namespace nib::test;

namespace {

// Resident kB of the mapping that contains `p`, from /proc/self/smaps (-1: no mapping does).
long resident_kb(const void* p) {
  const std::string rss = smaps_field(p, "Rss:");
  return rss.empty() ? -1 : std::stol(rss);
}

}  // namespace

TEST_CASE("MappedFile::drop_resident releases the range's pages, which read back unchanged") {
  constexpr std::size_t kBytes = 4 << 20;
  std::string content(kBytes, '\0');
  for (std::size_t i = 0; i < kBytes; ++i) content[i] = static_cast<char>(i * 7 + i / 4096);
  const auto path = scratch_dir("io_mapped_file") / "pages.bin";
  write_file(path, content);
  const nib::io::MappedFile file(path);
  const auto bytes = file.bytes();
  REQUIRE(bytes.size() == kBytes);

  long sum = 0;
  for (std::size_t i = 0; i < kBytes; i += 512) sum += bytes[i];
  const long before = resident_kb(bytes.data());
  REQUIRE(before >= 0);
  CHECK(before >= 4000);  // every page was read

  file.drop_resident(bytes.subspan(100, kBytes - 200));  // partial first and last pages stay
  const long after = resident_kb(bytes.data());
  CHECK(after <= 8);
  long again = 0;
  for (std::size_t i = 0; i < kBytes; i += 512) again += bytes[i];
  CHECK(again == sum);
  CHECK(std::string(reinterpret_cast<const char*>(bytes.data()), kBytes) == content);

  // Not part of the mapping: ignored (madvise would zero anonymous memory).
  std::vector<std::uint8_t> heap(1 << 20, 0x5a);
  file.drop_resident(heap);
  CHECK(heap[0] == 0x5a);
  CHECK(heap[heap.size() / 2] == 0x5a);
}
