// Micro-kernels: each multiplies a packed MR x kc sliver of A by a packed kc x NR sliver of B
// and writes (or adds) the MR x NR result into C. Packing zero-pads partial slivers, so the
// kernels always run full tiles and only clip what they store.
#pragma once

#include <cstdint>

namespace trl {

constexpr int kMR = 6;
constexpr int kNR = 16;

// c(i, j) (+)= sum_p a[p * kMR + i] * b[p * kNR + j] for i < mr, j < nr; `b` is 32-byte aligned.
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr,
                             int nr, bool accumulate);

// Plain C++: compiles for any target, vectorised by the compiler at the baseline ISA.
void micro_kernel_portable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr,
                           int nr, bool accumulate);

#if defined(__x86_64__) || defined(__i386__)
#define TRL_HAVE_AVX2_KERNEL 1
// AVX2 + FMA, compiled through a function target attribute: only call it when the CPU has both.
void micro_kernel_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr,
                       int nr, bool accumulate);
#endif

}  // namespace trl
