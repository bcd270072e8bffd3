// Per-thread kernel thread count. omp_set_num_threads changes the calling thread's own ICV (each
// non-OpenMP thread gets its own data environment in libgomp), so two Sessions on two threads can
// use different counts; oneDNN (OpenMP runtime) reads the same ICV via omp_get_max_threads.
#include <omp.h>

#include <algorithm>

#include "kernels/kernels.hpp"

namespace nib::kernels {

namespace {
thread_local int t_threads = 0;
}

// Capped by OMP_THREAD_LIMIT: a team never grows past it, but oneDNN splits its work over
// omp_get_max_threads() parts and would leave the parts of missing threads uncomputed.
void set_num_threads(int n) {
  const int want = std::min(n > 0 ? n : omp_get_num_procs(), omp_get_thread_limit());
  t_threads = n > 0 ? want : 0;
  omp_set_num_threads(want);
}

int num_threads() {
  return t_threads > 0 ? t_threads : omp_get_max_threads();
}

void share(std::int64_t n, int parts, int part, std::int64_t align, std::int64_t& begin, std::int64_t& end) {
  const std::int64_t units = (n + align - 1) / align;
  begin = std::min(n, units * part / parts * align);
  end = std::min(n, units * (part + 1) / parts * align);
}

}  // namespace nib::kernels
