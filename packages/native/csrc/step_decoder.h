// What the addon's decoder handles point at: any decoder that appends tokens to its own key/value
// cache and returns the last token's logits (GPT-2's, or the rotary Llama-style one).
#pragma once

#include <cstdint>
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

}  // namespace trl
