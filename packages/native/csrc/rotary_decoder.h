// A Llama-style decoder for inference with its own key/value cache (Llama, Mistral, Qwen2, Qwen3):
// RMSNorm, rotary positions, grouped-query attention and a SwiGLU MLP, one decoding step per call.
// It is described generically: dims plus per-layer weight slots, the optional ones (biases, q/k
// norms, an untied head) passed or left null. It owns copies of the weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "panel_gemm.h"
#include "step_decoder.h"

namespace trl {

struct RotaryDims {
  int64_t layers, hidden, heads, kv_heads, head_dim, vocab, inner;
  // Upper bounds of the cache: rows in the batch and cached positions per row (positions are below it).
  int64_t max_rows, max_slots;
  float epsilon;
};

// The weight slots of one layer, in the order the addon takes them.
enum RotaryLayerSlot {
  kInputNorm, kQWeight, kQBias, kKWeight, kKBias, kVWeight, kVBias, kOWeight, kOBias, kQNorm, kKNorm,
  kPostNorm, kGateWeight, kGateBias, kUpWeight, kUpBias, kDownWeight, kDownBias, kLayerSlots
};

// One weight slot: its float count and whether it may be null.
struct RotarySlot {
  int64_t floats;
  bool optional;
};

struct RotaryLayer {
  std::vector<float> input_norm, post_norm, q_norm, k_norm, out_bias, down_bias;
  // q, k and v as one [hidden, (heads + 2 kv_heads) head_dim] product, gate and up as one [hidden, 2 inner].
  std::vector<float> qkv_bias, gate_up_bias;
  PanelMatrix qkv, out, gate_up, down;
};

class RotaryDecoder : public StepDecoder {
 public:
  // `weights`: the embedding, the inverse frequencies [head_dim / 2], kLayerSlots per layer, the
  // final norm, the LM head (null when tied); sizes were checked by the caller against slots().
  RotaryDecoder(const RotaryDims& dims, const std::vector<const float*>& weights);

  // Every slot of `weights` in order.
  static std::vector<RotarySlot> slots(const RotaryDims& dims);

  std::string forward(const int32_t* tokens, const int32_t* positions, const int32_t* mask, int64_t rows,
                      int64_t length, const int32_t* keep, float* logits, int threads) override;
  int64_t vocab() const override { return d_.vocab; }
  void reset() override {
    rows_ = 0;
    slots_ = 0;
  }
  bool valid() const;

 private:
  void compact(const int32_t* keep, int64_t rows);
  void rotate_and_store(int64_t layer, const RotaryLayer& weights, const int32_t* positions, int64_t rows,
                        int64_t length);
  void attend(int64_t layer, int64_t rows, int64_t length);

  RotaryDims d_;
  std::vector<float> embed_, final_norm_;
  // cos and sin of position * frequency, [max_slots][head_dim / 2].
  std::vector<float> cos_, sin_;
  PanelMatrix head_;
  std::vector<RotaryLayer> layers_;
  int64_t rows_ = 0, slots_ = 0;
  // Cache [layer][row][kv_head][slot][head_dim], and which slots hold real tokens [row][slot].
  std::vector<float> keys_, values_;
  std::vector<uint8_t> slot_mask_;
  std::vector<float> x_, h_, qkv_, att_, gate_up_, scores_;
};

}  // namespace trl
