#include "panel_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kernels.h"
#include "sgemm.h"
#include "worker_pool.h"

#if defined(TRL_HAVE_AVX2_KERNEL)
#include <immintrin.h>
#endif

namespace trl {

PanelMatrix::PanelMatrix(const float* src, int64_t k, int64_t n, int64_t rs, int64_t cs) : k_(k), n_(n) {
  const size_t floats = static_cast<size_t>(panels() * k * kPanelWidth);
  data_ = static_cast<float*>(std::aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64));
  if (data_ == nullptr) return;
  for (int64_t q = 0; q < panels(); q++) {
    float* dst = data_ + q * k * kPanelWidth;
    for (int64_t p = 0; p < k; p++) {
      for (int64_t j = 0; j < kPanelWidth; j++) {
        const int64_t col = q * kPanelWidth + j;
        dst[p * kPanelWidth + j] = col < n ? src[p * rs + col * cs] : 0.f;
      }
    }
  }
}

PanelMatrix::~PanelMatrix() { std::free(data_); }

PanelMatrix::PanelMatrix(PanelMatrix&& other) noexcept : data_(other.data_), k_(other.k_), n_(other.n_) {
  other.data_ = nullptr;
}

PanelMatrix& PanelMatrix::operator=(PanelMatrix&& other) noexcept {
  std::swap(data_, other.data_);
  std::swap(k_, other.k_);
  std::swap(n_, other.n_);
  return *this;
}

namespace {

// Stores an mr x 16 tile (held in `tile`) into c, clipped to nr columns, adding the bias.
inline void store_tile(const float* tile, int mr, int nr, const float* bias, float* c, int64_t ldc) {
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[r * ldc + j] = tile[r * kPanelWidth + j] + (bias ? bias[j] : 0.f);
}

void tile_portable(const float* a, int64_t lda, int mr, int64_t k, const float* panel, float* tile) {
  std::fill(tile, tile + 6 * kPanelWidth, 0.f);
  for (int64_t p = 0; p < k; p++) {
    const float* b = panel + p * kPanelWidth;
    for (int r = 0; r < mr; r++) {
      const float av = a[r * lda + p];
      float* t = tile + r * kPanelWidth;
      for (int j = 0; j < kPanelWidth; j++) t[j] += av * b[j];
    }
  }
}

#if defined(TRL_HAVE_AVX2_KERNEL)
// MR rows of A times one 16-column panel: 2 * MR accumulators, the panel read once, in order.
template <int MR>
__attribute__((target("avx2,fma"))) void tile_avx2(const float* a, int64_t lda, int64_t k, const float* panel,
                                                    float* tile) {
  __m256 acc0[MR], acc1[MR];
  for (int r = 0; r < MR; r++) acc0[r] = acc1[r] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; p++) {
    const __m256 b0 = _mm256_load_ps(panel + p * kPanelWidth);
    const __m256 b1 = _mm256_load_ps(panel + p * kPanelWidth + 8);
    for (int r = 0; r < MR; r++) {
      const __m256 av = _mm256_broadcast_ss(a + r * lda + p);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
  }
  for (int r = 0; r < MR; r++) {
    _mm256_storeu_ps(tile + r * kPanelWidth, acc0[r]);
    _mm256_storeu_ps(tile + r * kPanelWidth + 8, acc1[r]);
  }
}

__attribute__((target("avx2,fma"))) void tile_dispatch_avx2(const float* a, int64_t lda, int mr, int64_t k,
                                                             const float* panel, float* tile) {
  switch (mr) {
    case 1: tile_avx2<1>(a, lda, k, panel, tile); break;
    case 2: tile_avx2<2>(a, lda, k, panel, tile); break;
    case 3: tile_avx2<3>(a, lda, k, panel, tile); break;
    case 4: tile_avx2<4>(a, lda, k, panel, tile); break;
    case 5: tile_avx2<5>(a, lda, k, panel, tile); break;
    default: tile_avx2<6>(a, lda, k, panel, tile); break;
  }
}
#endif

using TileFn = void (*)(const float*, int64_t, int, int64_t, const float*, float*);

TileFn pick_tile() {
#if defined(TRL_HAVE_AVX2_KERNEL)
  if (cpu_has_avx2_fma() && std::strcmp(kernel_name(), "portable-6x16") != 0) return tile_dispatch_avx2;
#endif
  return tile_portable;
}

struct Job {
  const float* a;
  int64_t m;
  const PanelMatrix* b;
  const float* bias;
  float* c;
  TileFn tile_fn;
  int64_t panel_begin[3];
};

void run_panels(const Job& job, int64_t first, int64_t last) {
  alignas(32) float tile[6 * kPanelWidth];
  const int64_t k = job.b->k(), n = job.b->n();
  for (int64_t q = first; q < last; q++) {
    const int64_t col = q * kPanelWidth;
    const int nr = static_cast<int>(std::min<int64_t>(kPanelWidth, n - col));
    for (int64_t i0 = 0; i0 < job.m; i0 += 6) {
      const int mr = static_cast<int>(std::min<int64_t>(6, job.m - i0));
      job.tile_fn(job.a + i0 * k, k, mr, k, job.b->panel(q), tile);
      store_tile(tile, mr, nr, job.bias ? job.bias + col : nullptr, job.c + i0 * n + col, n);
    }
  }
}

void run_job_half(void* context, int part) {
  const Job& job = *static_cast<const Job*>(context);
  run_panels(job, job.panel_begin[part], job.panel_begin[part + 1]);
}

// Two threads pay off only when each gets real work.
constexpr double kParallelMinFlops = 2.0e6;

}  // namespace

void panel_gemm(const float* a, int64_t m, const PanelMatrix& b, const float* bias, float* c, int threads) {
  Job job{a, m, &b, bias, c, pick_tile(), {0, 0, 0}};
  const int64_t panels = b.panels();
  if (threads >= 2 && panels >= 2 && 2.0 * m * b.k() * b.n() >= kParallelMinFlops) {
    job.panel_begin[1] = panels / 2;
    job.panel_begin[2] = panels;
    if (run_on_two_threads(run_job_half, &job)) return;
  }
  run_panels(job, 0, panels);
}

}  // namespace trl
