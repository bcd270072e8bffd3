// Per-thread kernel thread count. omp_set_num_threads changes the calling thread's own ICV (each
// non-OpenMP thread gets its own data environment in libgomp), so two Sessions on two threads can
// use different counts; oneDNN (OpenMP runtime) reads the same ICV via omp_get_max_threads.
#include <omp.h>

#include "kernels/kernels.hpp"

namespace nib::kernels {

namespace {
thread_local int t_threads = 0;
}

void set_num_threads(int n) {
  t_threads = n > 0 ? n : 0;
  omp_set_num_threads(n > 0 ? n : omp_get_num_procs());
}

int num_threads() {
  return t_threads > 0 ? t_threads : omp_get_max_threads();
}

}  // namespace nib::kernels
