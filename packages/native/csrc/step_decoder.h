// What the addon's decoder handles point at: any decoder that appends tokens to its own key/value
// cache and returns the last token's logits (GPT-2's, or the rotary Llama-style one).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace trl {

class StepDecoder {
 public:
  virtual ~StepDecoder() = default;
  // See Decoder::forward for the contract; every decoder validates its inputs the same way.
  virtual std::string forward(const int32_t* tokens, const int32_t* positions, const int32_t* mask, int64_t rows,
                              int64_t length, const int32_t* keep, float* logits, int threads) = 0;
  virtual int64_t vocab() const = 0;
  virtual void reset() = 0;
};

// Checks a forward call against the cache state (rows_ rows, slots_ slots used, capacity
// max_rows x max_slots); empty on success.
inline std::string check_step(int64_t rows, int64_t length, const int32_t* keep, int64_t cached_rows,
                              int64_t slots, int64_t max_rows, int64_t max_slots) {
  if (rows < 1 || rows > max_rows) return "rows must be between 1 and the decoder's maxRows";
  if (length < 1) return "length must be at least 1";
  if (slots + length > max_slots) return "the cache is full: create the decoder with a larger maxLength";
  if (keep != nullptr) {
    if (slots == 0) return "keep was given but the cache is empty";
    for (int64_t r = 0; r < rows; r++) {
      if (keep[r] < 0 || keep[r] >= cached_rows || (r > 0 && keep[r] <= keep[r - 1]))
        return "keep must list increasing indices of the previous call's rows";
    }
  } else if (slots > 0 && rows != cached_rows) {
    return "rows changed without keep: pass the indices of the rows that continue";
  }
  return std::string();
}

// Moves the cache rows listed in `keep` (increasing) down to rows 0..rows-1: keys and values
// [layer][max_rows][row_floats] and the slot mask [max_rows][max_slots].
inline void compact_cache(float* keys, float* values, uint8_t* slot_mask, int64_t layers, int64_t max_rows,
                          int64_t row_floats, int64_t max_slots, const int32_t* keep, int64_t rows) {
  for (int64_t l = 0; l < layers; l++) {
    float* k = keys + l * max_rows * row_floats;
    float* v = values + l * max_rows * row_floats;
    for (int64_t r = 0; r < rows; r++) {
      if (keep[r] == r) continue;
      std::memmove(k + r * row_floats, k + keep[r] * row_floats, sizeof(float) * row_floats);
      std::memmove(v + r * row_floats, v + keep[r] * row_floats, sizeof(float) * row_floats);
    }
  }
  for (int64_t r = 0; r < rows; r++) {
    if (keep[r] == r) continue;
    std::memmove(slot_mask + r * max_slots, slot_mask + keep[r] * max_slots, max_slots);
  }
}

// One query head's causal attention over cached slots 0..last, skipping slots that are not `real`:
// softmax(q . k_s * scale) weighted sum of v_s into out [hd]. `scores` has room for last + 1 floats.
// A query with no real slot (padding) gets zeros; its output is never used.
inline void attend_one_head(const float* q, const float* keys, const float* values, const uint8_t* real,
                            int64_t last, int64_t hd, float scale, float* scores, float* out) {
  float max = -INFINITY;
  for (int64_t s = 0; s <= last; s++) {
    if (!real[s]) continue;
    const float* k = keys + s * hd;
    float dot = 0.f;
    for (int64_t i = 0; i < hd; i++) dot += q[i] * k[i];
    scores[s] = dot * scale;
    max = std::max(max, scores[s]);
  }
  std::fill(out, out + hd, 0.f);
  if (max == -INFINITY) return;
  float total = 0.f;
  for (int64_t s = 0; s <= last; s++) {
    if (!real[s]) continue;
    scores[s] = std::exp(scores[s] - max);
    total += scores[s];
  }
  const float inverse = 1.f / total;
  for (int64_t s = 0; s <= last; s++) {
    if (!real[s]) continue;
    const float p = scores[s] * inverse;
    const float* v = values + s * hd;
    for (int64_t i = 0; i < hd; i++) out[i] += p * v[i];
  }
}

}  // namespace trl
