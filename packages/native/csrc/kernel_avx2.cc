// The 6x16 AVX2/FMA micro-kernel: 12 ymm accumulators, two B vectors and one broadcast A value
// per step. Only this function is compiled for AVX2 (target attribute), so the rest of the addon
// still loads and runs on CPUs without it.
#include "kernels.h"

#if defined(TRL_HAVE_AVX2_KERNEL)
#include <immintrin.h>

namespace trl {

#define TRL_ROW_FMA(r)                             \
  av = _mm256_broadcast_ss(a + (r));               \
  c##r##0 = _mm256_fmadd_ps(av, b0, c##r##0);      \
  c##r##1 = _mm256_fmadd_ps(av, b1, c##r##1);

#define TRL_ROW_STORE(r)                                                     \
  if (accumulate) {                                                          \
    c##r##0 = _mm256_add_ps(c##r##0, _mm256_loadu_ps(c + (r) * ldc));        \
    c##r##1 = _mm256_add_ps(c##r##1, _mm256_loadu_ps(c + (r) * ldc + 8));    \
  }                                                                          \
  _mm256_storeu_ps(c + (r) * ldc, c##r##0);                                  \
  _mm256_storeu_ps(c + (r) * ldc + 8, c##r##1);

#define TRL_ROW_SPILL(r)                        \
  _mm256_store_ps(tile + (r) * kNR, c##r##0);   \
  _mm256_store_ps(tile + (r) * kNR + 8, c##r##1);

__attribute__((target("avx2,fma"))) void micro_kernel_avx2(int64_t kc, const float* a, const float* b,
                                                           float* c, int64_t ldc, int mr, int nr,
                                                           bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 av;
    TRL_ROW_FMA(0)
    TRL_ROW_FMA(1)
    TRL_ROW_FMA(2)
    TRL_ROW_FMA(3)
    TRL_ROW_FMA(4)
    TRL_ROW_FMA(5)
    a += kMR;
    b += kNR;
  }
  if (mr == kMR && nr == kNR) {
    TRL_ROW_STORE(0)
    TRL_ROW_STORE(1)
    TRL_ROW_STORE(2)
    TRL_ROW_STORE(3)
    TRL_ROW_STORE(4)
    TRL_ROW_STORE(5)
    return;
  }
  alignas(32) float tile[kMR * kNR];
  TRL_ROW_SPILL(0)
  TRL_ROW_SPILL(1)
  TRL_ROW_SPILL(2)
  TRL_ROW_SPILL(3)
  TRL_ROW_SPILL(4)
  TRL_ROW_SPILL(5)
  for (int i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    const float* t = tile + i * kNR;
    if (accumulate) {
      for (int j = 0; j < nr; ++j) row[j] += t[j];
    } else {
      for (int j = 0; j < nr; ++j) row[j] = t[j];
    }
  }
}

}  // namespace trl
#endif
