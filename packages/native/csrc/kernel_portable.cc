#include <cstring>

#include "kernels.h"

namespace trl {

void micro_kernel_portable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr,
                           int nr, bool accumulate) {
  float acc[kMR][kNR];
  std::memset(acc, 0, sizeof(acc));
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < kMR; ++i) {
      const float ai = a[i];
      for (int j = 0; j < kNR; ++j) acc[i][j] += ai * b[j];
    }
    a += kMR;
    b += kNR;
  }
  for (int i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      for (int j = 0; j < nr; ++j) row[j] += acc[i][j];
    } else {
      for (int j = 0; j < nr; ++j) row[j] = acc[i][j];
    }
  }
}

}  // namespace trl
