// Single-precision GEMM on raw pointers: C = op(A) * op(B), batched, with an optional bias and
// activation epilogue. Everything here is plain C++ with no allocation visible to the caller
// beyond per-thread packing scratch that is kept between calls.
#pragma once

#include <cstdint>

namespace trl {

// One matrix product, described by strides so transposes and batches need no copies:
// A(i, p) = a[i * rsa + p * csa], B(p, j) = b[p * rsb + j * csb], C(i, j) = c[i * ldc + j].
struct GemmProblem {
  const float* a;
  const float* b;
  float* c;
  int64_t m, n, k;
  int64_t rsa, csa;
  int64_t rsb, csb;
  int64_t ldc;
  // Element strides between consecutive batch items (0 broadcasts one operand).
  int64_t batch;
  int64_t batch_stride_a, batch_stride_b, batch_stride_c;
};

// Activations applied after the product (and the bias, when there is one).
enum Activation : int32_t {
  kLinear = 0,
  kRelu = 1,
  kRelu6 = 2,
  kLeakyRelu = 3,
  kSigmoid = 4,
};

// Bias added to every row of C before the activation: either one value per column (size n)
// or a single value broadcast everywhere (size 1). bias == nullptr means no bias.
struct Epilogue {
  const float* bias;
  int64_t bias_size;
  Activation activation;
  float leaky_alpha;
};

// Which micro-kernel runs. kAuto picks AVX2/FMA when the CPU has it, else the portable one.
enum KernelChoice : int32_t { kAuto = 0, kPortable = 1, kAvx2 = 2 };

// Runs the batched product (and epilogue) using up to `threads` threads (1 or 2).
// Returns false only when packing scratch could not be allocated.
bool sgemm(const GemmProblem& problem, const Epilogue& epilogue, int threads);

// Forces a kernel (for tests); returns false when the CPU cannot run it.
bool set_kernel(KernelChoice choice);

// The kernel that sgemm currently uses: "avx2-fma-6x16" or "portable-6x16".
const char* kernel_name();

// Whether the CPU supports the AVX2/FMA kernel at all.
bool cpu_has_avx2_fma();

}  // namespace trl
