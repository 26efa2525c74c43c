// A pre-norm GPT-2 decoder for inference with its own key/value cache: the whole forward pass of
// one decoding step in one native call, instead of a few hundred small tensor ops. It owns copies
// of the weights, so it is valid until the caller's weights change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "panel_gemm.h"
#include "step_decoder.h"

namespace trl {

// Sizes of the model and of the cache.
struct DecoderDims {
  int64_t layers, width, heads, vocab, max_positions, inner;
  // Upper bounds of the cache: rows in the batch and cached positions per row.
  int64_t max_rows, max_slots;
  float epsilon;
};

// One block's weights; the projections ([in, out] in GPT-2's Conv1D layout) are packed in panels.
struct DecoderLayer {
  std::vector<float> ln1_w, ln1_b, qkv_b, out_b, ln2_w, ln2_b, up_b, down_b;
  PanelMatrix qkv_w, out_w, up_w, down_w;
};

class Decoder : public StepDecoder {
 public:
  // `weights` in the order of {@link weight_sizes}; sizes were checked by the caller.
  Decoder(const DecoderDims& dims, const std::vector<const float*>& weights, bool separate_head);

  // Float counts of the weights in the order the constructor takes them.
  static std::vector<int64_t> weight_sizes(const DecoderDims& dims, bool separate_head);

  // Appends `length` tokens to each of `rows` rows and writes the logits of each row's last new
  // token to `logits` [rows, vocab]. `keep` (nullable, `rows` entries, increasing) lists which rows
  // of the previous call continue, in order; without it the rows stay as they were (or start fresh
  // when the cache is empty). `mask` marks real tokens (1) and padding (0); padding is never
  // attended. `threads` (1 or 2) is passed to the GEMM. Returns an empty string on success, else what was wrong.
  std::string forward(const int32_t* tokens, const int32_t* positions, const int32_t* mask, int64_t rows,
                      int64_t length, const int32_t* keep, float* logits, int threads) override;

  // False when memory for the weights or the cache could not be allocated.
  bool valid() const;

  // The vocabulary size (the width of a logits row).
  int64_t vocab() const override { return d_.vocab; }

  // Forgets the cache: the next forward starts new sequences.
  void reset() override {
    rows_ = 0;
    slots_ = 0;
  }

 private:
  void compact(const int32_t* keep, int64_t rows);
  void attend(int64_t layer, int64_t rows, int64_t length);

  DecoderDims d_;
  bool separate_head_;
  std::vector<float> wte_, wpe_, lnf_w_, lnf_b_;
  // The LM head as a [width, vocab] product operand (the embedding transposed when tied).
  PanelMatrix head_;
  std::vector<DecoderLayer> layers_;
  int64_t rows_ = 0, slots_ = 0;
  // Cache [layer][row][head][slot][head_dim], and which slots hold real tokens [row][slot].
  std::vector<float> keys_, values_;
  std::vector<uint8_t> slot_mask_;
  // Scratch, sized for the largest call so far.
  std::vector<float> x_, h_, qkv_, att_, up_, scores_;
};

}  // namespace trl
