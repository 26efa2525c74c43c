// Products against a weight stored once in column panels, for the decoder: the weight is packed
// at load time, so a decoding step with a handful of rows streams it exactly once, contiguously,
// with no per-call packing.
#pragma once

#include <cstdint>
#include <vector>

namespace trl {

// Columns per panel: two AVX2 vectors.
constexpr int64_t kPanelWidth = 16;

// A k x n matrix as ceil(n / 16) panels, each k rows of 16 floats (zero-padded), 32-byte aligned.
class PanelMatrix {
 public:
  PanelMatrix() = default;
  // From a row-major matrix: B(p, j) = src[p * rs + j * cs] (a transpose is cs = k, rs = 1).
  PanelMatrix(const float* src, int64_t k, int64_t n, int64_t rs, int64_t cs);
  ~PanelMatrix();
  PanelMatrix(PanelMatrix&& other) noexcept;
  PanelMatrix& operator=(PanelMatrix&& other) noexcept;
  PanelMatrix(const PanelMatrix&) = delete;
  PanelMatrix& operator=(const PanelMatrix&) = delete;

  // False when the allocation failed.
  bool valid() const { return data_ != nullptr || k_ * n_ == 0; }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  const float* panel(int64_t index) const { return data_ + index * k_ * kPanelWidth; }
  int64_t panels() const { return (n_ + kPanelWidth - 1) / kPanelWidth; }

 private:
  float* data_ = nullptr;
  int64_t k_ = 0, n_ = 0;
};

// c[m, n] = a[m, k] @ B + bias (bias may be null), using up to `threads` threads (1 or 2).
void panel_gemm(const float* a, int64_t m, const PanelMatrix& b, const float* bias, float* c, int threads);

}  // namespace trl
