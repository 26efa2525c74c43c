// The Llama-family inference forward pass on plain arrays, matching @trl/models' tfjs model: token
// embedding, pre-norm layers (RMSNorm, q/k/v projections with optional biases and per-head q/k
// RMSNorm, RoPE in the half-split layout, grouped-query causal attention over the cache, SwiGLU),
// the final RMSNorm and the tied or separate LM head. Products go through the package's GEMM.
#include "rotary_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace trl {

namespace {

// RMSNorm of each `width`-float row of x into y: x / sqrt(mean(x^2) + eps) * w (in place is fine).
void rms_norm(const float* x, int64_t rows, int64_t width, const float* w, float epsilon, float* y) {
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * width;
    float* yr = y + r * width;
    float squares = 0.f;
    for (int64_t i = 0; i < width; i++) squares += xr[i] * xr[i];
    const float inverse = 1.f / std::sqrt(squares / static_cast<float>(width) + epsilon);
    for (int64_t i = 0; i < width; i++) yr[i] = xr[i] * inverse * w[i];
  }
}

void add_into(float* x, const float* y, int64_t count) {
  for (int64_t i = 0; i < count; i++) x[i] += y[i];
}

void grow(std::vector<float>& buffer, int64_t floats) {
  if (static_cast<int64_t>(buffer.size()) < floats) buffer.resize(static_cast<size_t>(floats));
}

// Columns [from, from + n) of the fused [k, total] matrix `into` are the [k, n] matrix `src`.
void place_columns(std::vector<float>& into, int64_t total, const float* src, int64_t k, int64_t n, int64_t from) {
  for (int64_t p = 0; p < k; p++) std::memcpy(&into[p * total + from], src + p * n, sizeof(float) * n);
}

}  // namespace

std::vector<RotarySlot> RotaryDecoder::slots(const RotaryDims& d) {
  const int64_t q = d.heads * d.head_dim, kv = d.kv_heads * d.head_dim, h = d.hidden, f = d.inner;
  std::vector<RotarySlot> out{{d.vocab * h, false}, {d.head_dim / 2, false}};
  const RotarySlot layer[kLayerSlots] = {
      {h, false},     {h * q, false}, {q, true},      {h * kv, false}, {kv, true},     {h * kv, false},
      {kv, true},     {q * h, false}, {h, true},      {d.head_dim, true}, {d.head_dim, true}, {h, false},
      {h * f, false}, {f, true},      {h * f, false}, {f, true},      {f * h, false}, {h, true}};
  for (int64_t l = 0; l < d.layers; l++) out.insert(out.end(), std::begin(layer), std::end(layer));
  out.push_back({h, false});
  out.push_back({d.vocab * h, true});
  return out;
}

RotaryDecoder::RotaryDecoder(const RotaryDims& dims, const std::vector<const float*>& weights) : d_(dims) {
  const int64_t h = dims.hidden, hd = dims.head_dim, half = hd / 2;
  const int64_t q = dims.heads * hd, kv = dims.kv_heads * hd, qkv = q + 2 * kv, f = dims.inner;
  auto copy = [](const float* src, int64_t n) {
    return src ? std::vector<float>(src, src + n) : std::vector<float>();
  };
  embed_ = copy(weights[0], dims.vocab * h);
  const float* frequencies = weights[1];
  cos_.resize(static_cast<size_t>(dims.max_slots * half));
  sin_.resize(static_cast<size_t>(dims.max_slots * half));
  for (int64_t p = 0; p < dims.max_slots; p++) {
    for (int64_t i = 0; i < half; i++) {
      // float32 product then the angle's cos/sin, as the tensor model computes its tables.
      const float angle = static_cast<float>(p) * frequencies[i];
      cos_[p * half + i] = std::cos(angle);
      sin_[p * half + i] = std::sin(angle);
    }
  }
  layers_.resize(static_cast<size_t>(dims.layers));
  std::vector<float> fused;
  for (int64_t l = 0; l < dims.layers; l++) {
    const float* const* w = weights.data() + 2 + l * kLayerSlots;
    RotaryLayer& layer = layers_[static_cast<size_t>(l)];
    layer.input_norm = copy(w[kInputNorm], h);
    layer.post_norm = copy(w[kPostNorm], h);
    layer.q_norm = copy(w[kQNorm], hd);
    layer.k_norm = copy(w[kKNorm], hd);
    fused.assign(static_cast<size_t>(h * qkv), 0.f);
    place_columns(fused, qkv, w[kQWeight], h, q, 0);
    place_columns(fused, qkv, w[kKWeight], h, kv, q);
    place_columns(fused, qkv, w[kVWeight], h, kv, q + kv);
    layer.qkv = PanelMatrix(fused.data(), h, qkv, qkv, 1);
    if (w[kQBias] || w[kKBias] || w[kVBias]) {
      layer.qkv_bias.assign(static_cast<size_t>(qkv), 0.f);
      if (w[kQBias]) std::copy(w[kQBias], w[kQBias] + q, layer.qkv_bias.begin());
      if (w[kKBias]) std::copy(w[kKBias], w[kKBias] + kv, layer.qkv_bias.begin() + q);
      if (w[kVBias]) std::copy(w[kVBias], w[kVBias] + kv, layer.qkv_bias.begin() + q + kv);
    }
    layer.out = PanelMatrix(w[kOWeight], q, h, h, 1);
    layer.out_bias = copy(w[kOBias], h);
    fused.assign(static_cast<size_t>(h * 2 * f), 0.f);
    place_columns(fused, 2 * f, w[kGateWeight], h, f, 0);
    place_columns(fused, 2 * f, w[kUpWeight], h, f, f);
    layer.gate_up = PanelMatrix(fused.data(), h, 2 * f, 2 * f, 1);
    if (w[kGateBias] || w[kUpBias]) {
      layer.gate_up_bias.assign(static_cast<size_t>(2 * f), 0.f);
      if (w[kGateBias]) std::copy(w[kGateBias], w[kGateBias] + f, layer.gate_up_bias.begin());
      if (w[kUpBias]) std::copy(w[kUpBias], w[kUpBias] + f, layer.gate_up_bias.begin() + f);
    }
    layer.down = PanelMatrix(w[kDownWeight], f, h, h, 1);
    layer.down_bias = copy(w[kDownBias], h);
  }
  const size_t tail = 2 + static_cast<size_t>(dims.layers) * kLayerSlots;
  final_norm_ = copy(weights[tail], h);
  // logits = h @ head^T with head [vocab, hidden]: B(p, j) = head[j * hidden + p].
  const float* head = weights[tail + 1] ? weights[tail + 1] : embed_.data();
  head_ = PanelMatrix(head, h, dims.vocab, 1, h);
  const int64_t cache = dims.layers * dims.max_rows * dims.max_slots * kv;
  keys_.assign(static_cast<size_t>(cache), 0.f);
  values_.assign(static_cast<size_t>(cache), 0.f);
  slot_mask_.assign(static_cast<size_t>(dims.max_rows * dims.max_slots), 0);
}

bool RotaryDecoder::valid() const {
  if (!head_.valid()) return false;
  for (const RotaryLayer& layer : layers_)
    if (!layer.qkv.valid() || !layer.out.valid() || !layer.gate_up.valid() || !layer.down.valid()) return false;
  return true;
}

void RotaryDecoder::compact(const int32_t* keep, int64_t rows) {
  compact_cache(keys_.data(), values_.data(), slot_mask_.data(), d_.layers, d_.max_rows, d_.kv_heads * d_.max_slots * d_.head_dim,
                d_.max_slots, keep, rows);
}

// Normalises (Qwen3) and rotates this call's queries in place in qkv_, and stores the rotated keys
// and the values in the cache.
void RotaryDecoder::rotate_and_store(int64_t layer, const RotaryLayer& weights, const int32_t* positions,
                                     int64_t rows, int64_t length) {
  const int64_t hd = d_.head_dim, half = hd / 2, heads = d_.heads, kvh = d_.kv_heads, slots = d_.max_slots;
  const int64_t stride = (heads + 2 * kvh) * hd;
  float* kc = keys_.data() + layer * d_.max_rows * kvh * slots * hd;
  float* vc = values_.data() + layer * d_.max_rows * kvh * slots * hd;
  auto rotate = [&](float* v, int64_t position) {
    const float* c = &cos_[position * half];
    const float* s = &sin_[position * half];
    for (int64_t i = 0; i < half; i++) {
      const float first = v[i], second = v[i + half];
      v[i] = first * c[i] - second * s[i];
      v[i + half] = second * c[i] + first * s[i];
    }
  };
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t t = 0; t < length; t++) {
      float* row = qkv_.data() + (r * length + t) * stride;
      const int64_t position = positions[r * length + t];
      if (!weights.q_norm.empty()) {
        rms_norm(row, heads, hd, weights.q_norm.data(), d_.epsilon, row);
        rms_norm(row + heads * hd, kvh, hd, weights.k_norm.data(), d_.epsilon, row + heads * hd);
      }
      for (int64_t h = 0; h < heads + kvh; h++) rotate(row + h * hd, position);
      for (int64_t h = 0; h < kvh; h++) {
        const int64_t at = ((r * kvh + h) * slots + slots_ + t) * hd;
        std::memcpy(kc + at, row + (heads + h) * hd, sizeof(float) * hd);
        std::memcpy(vc + at, row + (heads + kvh + h) * hd, sizeof(float) * hd);
      }
    }
  }
}

// Attends each new query to every real cached token at or before it; query head h reads kv head
// h / (heads / kv_heads). Reads qkv_, writes att_ [rows * length, heads * head_dim].
void RotaryDecoder::attend(int64_t layer, int64_t rows, int64_t length) {
  const int64_t hd = d_.head_dim, heads = d_.heads, kvh = d_.kv_heads, slots = d_.max_slots;
  const int64_t group = heads / kvh, stride = (heads + 2 * kvh) * hd;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  const float* kc = keys_.data() + layer * d_.max_rows * kvh * slots * hd;
  const float* vc = values_.data() + layer * d_.max_rows * kvh * slots * hd;
  grow(scores_, slots_ + length);
  float* scores = scores_.data();
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t* real = &slot_mask_[r * slots];
    for (int64_t t = 0; t < length; t++) {
      const int64_t last = slots_ + t;
      const float* q_row = qkv_.data() + (r * length + t) * stride;
      float* out_row = att_.data() + (r * length + t) * heads * hd;
      for (int64_t h = 0; h < heads; h++) {
        const float* q = q_row + h * hd;
        const float* keys = kc + (r * kvh + h / group) * slots * hd;
        const float* values = vc + (r * kvh + h / group) * slots * hd;
        float* out = out_row + h * hd;
        attend_one_head(q, keys, values, real, last, hd, scale, scores, out);
      }
    }
  }
}

std::string RotaryDecoder::forward(const int32_t* tokens, const int32_t* positions, const int32_t* mask,
                                   int64_t rows, int64_t length, const int32_t* keep, float* logits, int threads) {
  const std::string problem = check_step(rows, length, keep, rows_, slots_, d_.max_rows, d_.max_slots);
  if (!problem.empty()) return problem;
  const int64_t n = rows * length, w = d_.hidden, f = d_.inner;
  for (int64_t i = 0; i < n; i++) {
    if (tokens[i] < 0 || tokens[i] >= d_.vocab) return "a token id is outside [0, vocab)";
    if (positions[i] < 0 || positions[i] >= d_.max_slots) return "a position id is outside [0, maxLength)";
  }
  if (keep != nullptr) compact(keep, rows);
  const int64_t q_width = d_.heads * d_.head_dim;
  grow(x_, n * w);
  grow(h_, n * w);
  grow(qkv_, n * (q_width + 2 * d_.kv_heads * d_.head_dim));
  grow(att_, n * q_width);
  grow(gate_up_, n * 2 * f);
  for (int64_t i = 0; i < n; i++)
    std::memcpy(&x_[i * w], embed_.data() + static_cast<int64_t>(tokens[i]) * w, sizeof(float) * w);
  for (int64_t r = 0; r < rows; r++)
    for (int64_t t = 0; t < length; t++) slot_mask_[r * d_.max_slots + slots_ + t] = mask[r * length + t] != 0;

  auto bias = [](const std::vector<float>& b) { return b.empty() ? nullptr : b.data(); };
  for (int64_t l = 0; l < d_.layers; l++) {
    const RotaryLayer& layer = layers_[static_cast<size_t>(l)];
    rms_norm(x_.data(), n, w, layer.input_norm.data(), d_.epsilon, h_.data());
    panel_gemm(h_.data(), n, layer.qkv, bias(layer.qkv_bias), qkv_.data(), threads);
    rotate_and_store(l, layer, positions, rows, length);
    attend(l, rows, length);
    panel_gemm(att_.data(), n, layer.out, bias(layer.out_bias), h_.data(), threads);
    add_into(x_.data(), h_.data(), n * w);
    rms_norm(x_.data(), n, w, layer.post_norm.data(), d_.epsilon, h_.data());
    panel_gemm(h_.data(), n, layer.gate_up, bias(layer.gate_up_bias), gate_up_.data(), threads);
    // SwiGLU in place: the first f floats of each row become silu(gate) * up.
    for (int64_t i = 0; i < n; i++) {
      float* gate = &gate_up_[i * 2 * f];
      const float* up = gate + f;
      for (int64_t j = 0; j < f; j++) gate[j] = gate[j] / (1.f + std::exp(-gate[j])) * up[j];
    }
    // The down projection reads rows of 2f floats: pack the activations densely first.
    for (int64_t i = 1; i < n; i++) std::memmove(&gate_up_[i * f], &gate_up_[i * 2 * f], sizeof(float) * f);
    panel_gemm(gate_up_.data(), n, layer.down, bias(layer.down_bias), h_.data(), threads);
    add_into(x_.data(), h_.data(), n * w);
  }
  slots_ += length;
  rows_ = rows;

  for (int64_t r = 0; r < rows; r++)
    rms_norm(x_.data() + ((r + 1) * length - 1) * w, 1, w, final_norm_.data(), d_.epsilon, h_.data() + r * w);
  panel_gemm(h_.data(), rows, head_, nullptr, logits, threads);
  return std::string();
}

}  // namespace trl
