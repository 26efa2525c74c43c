// BLIS-style driver: B is packed in kc x nc blocks (shared by every A block), A in mc x kc
// blocks, and the micro-kernel sweeps MR x NR tiles. Transposes are strides, so packing absorbs
// them. Batches and the optional two-thread split hand disjoint blocks of C to each thread.
#include "sgemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "kernels.h"
#include "worker_pool.h"

namespace trl {
namespace {

// Zen 3: an mc x kc A block (144 KiB) stays in L2, a kc x NR B sliver (16 KiB) in L1.
constexpr int64_t kMC = 144;
constexpr int64_t kKC = 256;
constexpr int64_t kNC = 4080;
// Below this many flops the second thread's wake-up costs more than it saves.
constexpr double kParallelMinFlops = 4.0e6;

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// Packing scratch kept per thread between calls: reallocating megabytes per matmul would
// page-fault on every call.
struct Scratch {
  float* a = nullptr;
  size_t a_floats = 0;
  float* b = nullptr;
  size_t b_floats = 0;
  ~Scratch() {
    std::free(a);
    std::free(b);
  }
};
thread_local Scratch scratch;

float* reserve(float*& buffer, size_t& capacity, size_t floats) {
  if (floats <= capacity) return buffer;
  std::free(buffer);
  const size_t bytes = round_up(static_cast<int64_t>(floats * sizeof(float)), 64);
  buffer = static_cast<float*>(std::aligned_alloc(64, bytes));
  capacity = buffer == nullptr ? 0 : floats;
  return buffer;
}

// A block (mc x kc) -> row slivers of kMR: sliver s holds A(s*kMR + r, p) at [p * kMR + r].
void pack_a(int64_t mc, int64_t kc, const float* a, int64_t rsa, int64_t csa, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += kMR) {
    const int64_t mr = std::min<int64_t>(kMR, mc - i0);
    const float* src = a + i0 * rsa;
    if (mr == kMR && csa == 1) {
      const float* r0 = src;
      const float* r1 = src + rsa;
      const float* r2 = src + 2 * rsa;
      const float* r3 = src + 3 * rsa;
      const float* r4 = src + 4 * rsa;
      const float* r5 = src + 5 * rsa;
      for (int64_t p = 0; p < kc; ++p) {
        dst[0] = r0[p];
        dst[1] = r1[p];
        dst[2] = r2[p];
        dst[3] = r3[p];
        dst[4] = r4[p];
        dst[5] = r5[p];
        dst += kMR;
      }
    } else if (mr == kMR && rsa == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        std::memcpy(dst, src + p * csa, kMR * sizeof(float));
        dst += kMR;
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        for (int64_t r = 0; r < kMR; ++r) dst[r] = r < mr ? src[r * rsa + p * csa] : 0.0f;
        dst += kMR;
      }
    }
  }
}

// B block (kc x nc) -> column slivers of kNR: sliver s holds B(p, s*kNR + c) at [p * kNR + c].
void pack_b(int64_t kc, int64_t nc, const float* b, int64_t rsb, int64_t csb, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += kNR) {
    const int64_t nr = std::min<int64_t>(kNR, nc - j0);
    const float* src = b + j0 * csb;
    if (nr == kNR && csb == 1) {
      for (int64_t p = 0; p < kc; ++p) std::memcpy(dst + p * kNR, src + p * rsb, kNR * sizeof(float));
    } else if (nr == kNR && rsb == 1) {
      // Transposed B: read each column contiguously; the strided writes stay inside L1.
      for (int64_t col = 0; col < kNR; ++col) {
        const float* s = src + col * csb;
        for (int64_t p = 0; p < kc; ++p) dst[p * kNR + col] = s[p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t col = 0; col < kNR; ++col) dst[p * kNR + col] = col < nr ? src[p * rsb + col * csb] : 0.0f;
    }
    dst += kc * kNR;
  }
}

struct Matrix2d {
  const float* a;
  const float* b;
  float* c;
  int64_t m, n, k;
  int64_t rsa, csa, rsb, csb, ldc;
};

bool gemm_2d(const Matrix2d& g, MicroKernel kernel) {
  if (g.m <= 0 || g.n <= 0) return true;
  if (g.k <= 0) {
    for (int64_t i = 0; i < g.m; ++i) std::memset(g.c + i * g.ldc, 0, g.n * sizeof(float));
    return true;
  }
  const int64_t kc_max = std::min(kKC, g.k);
  const int64_t nc_max = std::min(kNC, round_up(g.n, kNR));
  const int64_t mc_max = std::min(kMC, round_up(g.m, kMR));
  float* bp = reserve(scratch.b, scratch.b_floats, kc_max * nc_max);
  float* ap = reserve(scratch.a, scratch.a_floats, kc_max * mc_max);
  if (bp == nullptr || ap == nullptr) return false;

  for (int64_t jc = 0; jc < g.n; jc += kNC) {
    const int64_t nc = std::min(kNC, g.n - jc);
    for (int64_t pc = 0; pc < g.k; pc += kKC) {
      const int64_t kc = std::min(kKC, g.k - pc);
      pack_b(kc, nc, g.b + pc * g.rsb + jc * g.csb, g.rsb, g.csb, bp);
      for (int64_t ic = 0; ic < g.m; ic += kMC) {
        const int64_t mc = std::min(kMC, g.m - ic);
        pack_a(mc, kc, g.a + ic * g.rsa + pc * g.csa, g.rsa, g.csa, ap);
        for (int64_t jr = 0; jr < nc; jr += kNR) {
          const int nr = static_cast<int>(std::min<int64_t>(kNR, nc - jr));
          for (int64_t ir = 0; ir < mc; ir += kMR) {
            const int mr = static_cast<int>(std::min<int64_t>(kMR, mc - ir));
            kernel(kc, ap + ir * kc, bp + jr * kc, g.c + (ic + ir) * g.ldc + jc + jr, g.ldc, mr, nr, pc > 0);
          }
        }
      }
    }
  }
  return true;
}

float activate(float v, Activation activation, float alpha) {
  switch (activation) {
    case kRelu:
      return v > 0.0f ? v : 0.0f;
    case kRelu6:
      return std::min(std::max(v, 0.0f), 6.0f);
    case kLeakyRelu:
      return v > 0.0f ? v : v * alpha;
    case kSigmoid:
      return 1.0f / (1.0f + std::exp(-v));
    default:
      return v;
  }
}

// Bias and activation over an m x n block of C whose first column is global column n0.
void apply_epilogue(const Epilogue& e, float* c, int64_t m, int64_t n, int64_t ldc, int64_t n0) {
  if (e.bias == nullptr && e.activation == kLinear) return;
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (e.bias != nullptr) {
      if (e.bias_size == 1) {
        const float b = e.bias[0];
        for (int64_t j = 0; j < n; ++j) row[j] += b;
      } else {
        const float* b = e.bias + n0;
        for (int64_t j = 0; j < n; ++j) row[j] += b[j];
      }
    }
    if (e.activation != kLinear)
      for (int64_t j = 0; j < n; ++j) row[j] = activate(row[j], e.activation, e.leaky_alpha);
  }
}

MicroKernel pick_kernel(KernelChoice choice) {
#if defined(TRL_HAVE_AVX2_KERNEL)
  if (choice != kPortable && cpu_has_avx2_fma()) return micro_kernel_avx2;
#endif
  (void)choice;
  return micro_kernel_portable;
}

MicroKernel active_kernel = nullptr;

MicroKernel current_kernel() {
  if (active_kernel == nullptr) active_kernel = pick_kernel(kAuto);
  return active_kernel;
}

// Which part of the problem one thread computes: a range of batch items, and inside each the
// rows [m0, m1) and columns [n0, n1).
struct Part {
  int64_t batch0, batch1, m0, m1, n0, n1;
};

struct Job {
  const GemmProblem* problem;
  const Epilogue* epilogue;
  MicroKernel kernel;
  Part parts[2];
  bool ok[2];
};

bool run_part(const GemmProblem& p, const Epilogue& e, MicroKernel kernel, const Part& part) {
  for (int64_t item = part.batch0; item < part.batch1; ++item) {
    const float* a = p.a + item * p.batch_stride_a;
    const float* b = p.b + item * p.batch_stride_b;
    float* c = p.c + item * p.batch_stride_c;
    Matrix2d g{a + part.m0 * p.rsa,
               b + part.n0 * p.csb,
               c + part.m0 * p.ldc + part.n0,
               part.m1 - part.m0,
               part.n1 - part.n0,
               p.k,
               p.rsa,
               p.csa,
               p.rsb,
               p.csb,
               p.ldc};
    if (!gemm_2d(g, kernel)) return false;
    apply_epilogue(e, g.c, g.m, g.n, p.ldc, part.n0);
  }
  return true;
}

void run_job_part(void* context, int index) {
  Job* job = static_cast<Job*>(context);
  job->ok[index] = run_part(*job->problem, *job->epilogue, job->kernel, job->parts[index]);
}

// Splits batches when there are enough to balance, else the larger of M and N, on tile edges.
bool split_in_two(const GemmProblem& p, Part parts[2]) {
  const Part whole{0, p.batch, 0, p.m, 0, p.n};
  parts[0] = whole;
  parts[1] = whole;
  if (p.batch >= 4 || (p.batch >= 2 && p.batch % 2 == 0)) {
    parts[0].batch1 = parts[1].batch0 = p.batch / 2;
    return true;
  }
  if (p.n >= p.m && p.n >= 2 * kNR) {
    parts[0].n1 = parts[1].n0 = round_up(p.n / 2, kNR);
    return true;
  }
  if (p.m >= 2 * kMR) {
    parts[0].m1 = parts[1].m0 = round_up(p.m / 2, kMR);
    return true;
  }
  return false;
}

}  // namespace

bool cpu_has_avx2_fma() {
#if defined(TRL_HAVE_AVX2_KERNEL)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool set_kernel(KernelChoice choice) {
  if (choice == kAvx2 && !cpu_has_avx2_fma()) return false;
  active_kernel = pick_kernel(choice);
  return true;
}

const char* kernel_name() {
#if defined(TRL_HAVE_AVX2_KERNEL)
  if (current_kernel() == micro_kernel_avx2) return "avx2-fma-6x16";
#endif
  return "portable-6x16";
}

bool sgemm(const GemmProblem& problem, const Epilogue& epilogue, int threads) {
  const MicroKernel kernel = current_kernel();
  const double flops = 2.0 * problem.batch * problem.m * problem.n * problem.k;
  if (threads >= 2 && flops >= kParallelMinFlops) {
    Job job{&problem, &epilogue, kernel, {}, {false, false}};
    if (split_in_two(problem, job.parts) && run_on_two_threads(run_job_part, &job)) return job.ok[0] && job.ok[1];
  }
  return run_part(problem, epilogue, kernel, Part{0, problem.batch, 0, problem.m, 0, problem.n});
}

}  // namespace trl
