// The machine's memory read bandwidth with 1 and 2 threads (see read_bandwidth.hpp).
#include "read_bandwidth.hpp"

namespace {
using nib::bench::BM_read_bandwidth;
BENCHMARK(BM_read_bandwidth)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
