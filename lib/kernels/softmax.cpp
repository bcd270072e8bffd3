#include "kernels/kernels.hpp"
#include "kernels/softmax_row.hpp"

namespace nib::kernels {

void softmax_rows(float* x, std::int64_t rows, std::int64_t cols) {
#pragma omp parallel for if (rows * cols >= (1 << 15) && rows > 1)
  for (std::int64_t r = 0; r < rows; ++r) softmax_row(x + r * cols, cols);
}

}  // namespace nib::kernels
