// GPT-2's inference forward pass on plain arrays, matching @trl/models' tfjs model: token and
// position embeddings, pre-norm blocks (causal attention over the cache, GELU-tanh MLP), the final
// norm and the tied (or separate) LM head. Products go through the package's GEMM.
#include "decoder.h"

#include "sgemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif


namespace trl {

namespace {

// y[rows, n] = x[rows, k] @ w + bias.
void linear(const float* x, int64_t rows, const PanelMatrix& w, const std::vector<float>& bias, float* y,
            int threads) {
  panel_gemm(x, rows, w, bias.data(), y, threads);
}

// Layer norm of each row of x [rows, width] into y, PyTorch's biased variance.
void layer_norm(const float* x, int64_t rows, int64_t width, const std::vector<float>& w,
                const std::vector<float>& b, float epsilon, float* y) {
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * width;
    float* yr = y + r * width;
    float mean = 0.f;
    for (int64_t i = 0; i < width; i++) mean += xr[i];
    mean /= static_cast<float>(width);
    float variance = 0.f;
    for (int64_t i = 0; i < width; i++) {
      const float c = xr[i] - mean;
      variance += c * c;
    }
    variance /= static_cast<float>(width);
    const float inverse_std = 1.f / std::sqrt(variance + epsilon);
    for (int64_t i = 0; i < width; i++) yr[i] = (xr[i] - mean) * inverse_std * w[i] + b[i];
  }
}

// tanh as a rational function of x (odd degree-13 numerator, even degree-6 denominator, clamped at
// +-7.9): within 4e-7 of std::tanh, and it vectorises, where a libm call per element does not.
inline __attribute__((always_inline)) float rational_tanh(float x) {
  constexpr float kClamp = 7.90531110763549805f;
  x = x < -kClamp ? -kClamp : (x > kClamp ? kClamp : x);
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 - 8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

// GPT-2's gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
inline __attribute__((always_inline)) void gelu_new_loop(float* x, int64_t count) {
  constexpr float kScale = 0.7978845608028654f;
  for (int64_t i = 0; i < count; i++) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.f + rational_tanh(kScale * (v + 0.044715f * v * v * v)));
  }
}

void gelu_new_portable(float* x, int64_t count) { gelu_new_loop(x, count); }

#if defined(__x86_64__)
// The same formula eight lanes at a time; the tail goes through the scalar loop.
__attribute__((target("avx2,fma"))) void gelu_new_avx2(float* x, int64_t count) {
  const __m256 clamp = _mm256_set1_ps(7.90531110763549805f);
  const __m256 scale = _mm256_set1_ps(0.7978845608028654f);
  const __m256 cubic = _mm256_set1_ps(0.044715f);
  const __m256 half = _mm256_set1_ps(0.5f);
  const __m256 one = _mm256_set1_ps(1.f);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    __m256 t = _mm256_mul_ps(scale, _mm256_fmadd_ps(_mm256_mul_ps(cubic, v), _mm256_mul_ps(v, v), v));
    t = _mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), clamp), _mm256_min_ps(clamp, t));
    const __m256 t2 = _mm256_mul_ps(t, t);
    __m256 p = _mm256_set1_ps(-2.76076847742355e-16f);
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(2.00018790482477e-13f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(-8.60467152213735e-11f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(5.12229709037114e-08f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(1.48572235717979e-05f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(6.37261928875436e-04f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(4.89352455891786e-03f));
    __m256 q = _mm256_set1_ps(1.19825839466702e-06f);
    q = _mm256_fmadd_ps(q, t2, _mm256_set1_ps(1.18534705686654e-04f));
    q = _mm256_fmadd_ps(q, t2, _mm256_set1_ps(2.26843463243900e-03f));
    q = _mm256_fmadd_ps(q, t2, _mm256_set1_ps(4.89352518554385e-03f));
    const __m256 tanh = _mm256_div_ps(_mm256_mul_ps(t, p), q);
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, tanh)));
  }
  gelu_new_loop(x + i, count - i);
}
#endif

void gelu_new(float* x, int64_t count) {
#if defined(__x86_64__)
  static const bool avx2 = cpu_has_avx2_fma();
  if (avx2) return gelu_new_avx2(x, count);
#endif
  gelu_new_portable(x, count);
}

void add_into(float* x, const float* y, int64_t count) {
  for (int64_t i = 0; i < count; i++) x[i] += y[i];
}

void grow(std::vector<float>& buffer, int64_t floats) {
  if (static_cast<int64_t>(buffer.size()) < floats) buffer.resize(static_cast<size_t>(floats));
}

}  // namespace

std::vector<int64_t> Decoder::weight_sizes(const DecoderDims& d, bool separate_head) {
  std::vector<int64_t> sizes{d.vocab * d.width, d.max_positions * d.width};
  for (int64_t l = 0; l < d.layers; l++) {
    const int64_t w = d.width;
    const int64_t layer[] = {w, w, w * 3 * w, 3 * w, w * w, w, w, w, w * d.inner, d.inner, d.inner * w, w};
    sizes.insert(sizes.end(), std::begin(layer), std::end(layer));
  }
  sizes.push_back(d.width);
  sizes.push_back(d.width);
  if (separate_head) sizes.push_back(d.vocab * d.width);
  return sizes;
}

Decoder::Decoder(const DecoderDims& dims, const std::vector<const float*>& weights, bool separate_head)
    : d_(dims), separate_head_(separate_head) {
  const std::vector<int64_t> sizes = weight_sizes(dims, separate_head);
  size_t next = 0;
  auto take = [&](std::vector<float>& into) {
    into.assign(weights[next], weights[next] + sizes[next]);
    next++;
  };
  auto pack = [&](PanelMatrix& into, int64_t k, int64_t n) {
    into = PanelMatrix(weights[next], k, n, n, 1);
    next++;
  };
  const int64_t w = dims.width;
  take(wte_);
  take(wpe_);
  layers_.resize(static_cast<size_t>(dims.layers));
  for (DecoderLayer& layer : layers_) {
    take(layer.ln1_w);
    take(layer.ln1_b);
    pack(layer.qkv_w, w, 3 * w);
    take(layer.qkv_b);
    pack(layer.out_w, w, w);
    take(layer.out_b);
    take(layer.ln2_w);
    take(layer.ln2_b);
    pack(layer.up_w, w, dims.inner);
    take(layer.up_b);
    pack(layer.down_w, dims.inner, w);
    take(layer.down_b);
  }
  take(lnf_w_);
  take(lnf_b_);
  // logits = h @ head^T with head [vocab, width]: B(p, j) = head[j * width + p].
  head_ = PanelMatrix(separate_head ? weights[next] : wte_.data(), w, dims.vocab, 1, w);
  const int64_t cache = dims.layers * dims.max_rows * dims.max_slots * dims.width;
  keys_.assign(static_cast<size_t>(cache), 0.f);
  values_.assign(static_cast<size_t>(cache), 0.f);
  slot_mask_.assign(static_cast<size_t>(dims.max_rows * dims.max_slots), 0);
}

bool Decoder::valid() const {
  if (!head_.valid()) return false;
  for (const DecoderLayer& layer : layers_)
    if (!layer.qkv_w.valid() || !layer.out_w.valid() || !layer.up_w.valid() || !layer.down_w.valid()) return false;
  return true;
}

void Decoder::compact(const int32_t* keep, int64_t rows) {
  compact_cache(keys_.data(), values_.data(), slot_mask_.data(), d_.layers, d_.max_rows, d_.max_slots * d_.width,
                d_.max_slots, keep, rows);
}

// Stores this call's keys and values in the cache, then attends each new token to every real
// cached token at or before it. Reads qkv_ [rows * length, 3 * width], writes att_.
void Decoder::attend(int64_t layer, int64_t rows, int64_t length) {
  const int64_t w = d_.width, heads = d_.heads, hd = w / heads, slots = d_.max_slots;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  float* kc = keys_.data() + layer * d_.max_rows * heads * slots * hd;
  float* vc = values_.data() + layer * d_.max_rows * heads * slots * hd;
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t t = 0; t < length; t++) {
      const float* src = qkv_.data() + (r * length + t) * 3 * w;
      for (int64_t h = 0; h < heads; h++) {
        const int64_t at = ((r * heads + h) * slots + slots_ + t) * hd;
        std::memcpy(kc + at, src + w + h * hd, sizeof(float) * hd);
        std::memcpy(vc + at, src + 2 * w + h * hd, sizeof(float) * hd);
      }
    }
  }
  grow(scores_, slots_ + length);
  float* scores = scores_.data();
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t* real = &slot_mask_[r * slots];
    for (int64_t t = 0; t < length; t++) {
      const int64_t last = slots_ + t;  // the query's own slot
      const float* q_row = qkv_.data() + (r * length + t) * 3 * w;
      float* out_row = att_.data() + (r * length + t) * w;
      for (int64_t h = 0; h < heads; h++) {
        const float* q = q_row + h * hd;
        const float* keys = kc + (r * heads + h) * slots * hd;
        const float* values = vc + (r * heads + h) * slots * hd;
        float* out = out_row + h * hd;
        attend_one_head(q, keys, values, real, last, hd, scale, scores, out);
      }
    }
  }
}

std::string Decoder::forward(const int32_t* tokens, const int32_t* positions, const int32_t* mask, int64_t rows,
                             int64_t length, const int32_t* keep, float* logits, int threads) {
  const std::string problem = check_step(rows, length, keep, rows_, slots_, d_.max_rows, d_.max_slots);
  if (!problem.empty()) return problem;
  if (keep != nullptr) compact(keep, rows);
  const int64_t n = rows * length, w = d_.width;
  for (int64_t i = 0; i < n; i++) {
    if (tokens[i] < 0 || tokens[i] >= d_.vocab) return "a token id is outside [0, vocab)";
    if (positions[i] < 0 || positions[i] >= d_.max_positions) return "a position id is outside [0, maxPositions)";
  }
  grow(x_, n * w);
  grow(h_, n * w);
  grow(qkv_, n * 3 * w);
  grow(att_, n * w);
  grow(up_, n * d_.inner);
  for (int64_t i = 0; i < n; i++) {
    const float* te = wte_.data() + static_cast<int64_t>(tokens[i]) * w;
    const float* pe = wpe_.data() + static_cast<int64_t>(positions[i]) * w;
    for (int64_t j = 0; j < w; j++) x_[i * w + j] = te[j] + pe[j];
  }
  for (int64_t r = 0; r < rows; r++)
    for (int64_t t = 0; t < length; t++) slot_mask_[r * d_.max_slots + slots_ + t] = mask[r * length + t] != 0;

  for (int64_t l = 0; l < d_.layers; l++) {
    const DecoderLayer& layer = layers_[static_cast<size_t>(l)];
    layer_norm(x_.data(), n, w, layer.ln1_w, layer.ln1_b, d_.epsilon, h_.data());
    linear(h_.data(), n, layer.qkv_w, layer.qkv_b, qkv_.data(), threads);
    attend(l, rows, length);
    linear(att_.data(), n, layer.out_w, layer.out_b, h_.data(), threads);
    add_into(x_.data(), h_.data(), n * w);
    layer_norm(x_.data(), n, w, layer.ln2_w, layer.ln2_b, d_.epsilon, h_.data());
    linear(h_.data(), n, layer.up_w, layer.up_b, up_.data(), threads);
    gelu_new(up_.data(), n * d_.inner);
    linear(up_.data(), n, layer.down_w, layer.down_b, h_.data(), threads);
    add_into(x_.data(), h_.data(), n * w);
  }
  slots_ += length;
  rows_ = rows;

  // Only each row's last token needs logits: norm those rows, then h @ head^T (head is [vocab, width]).
  for (int64_t r = 0; r < rows; r++)
    layer_norm(x_.data() + ((r + 1) * length - 1) * w, 1, w, lnf_w_, lnf_b_, d_.epsilon, h_.data() + r * w);
  panel_gemm(h_.data(), rows, head_, nullptr, logits, threads);
  return std::string();
}

}  // namespace trl
