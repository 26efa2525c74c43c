// N-API surface of the addon. Every pointer handed to the GEMM is derived from a buffer the
// caller passed plus byte offsets that are bounds-checked here first, so a wrong offset from
// JavaScript becomes a thrown Error instead of a wild write.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include <string>
#include <vector>

#include "decoder.h"
#include "rotary_decoder.h"
#include "sgemm.h"

namespace {

int g_threads = 1;

#define TRL_CALL(env, call)                                                 \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error((env), "TRL_NATIVE", "N-API call failed: " #call);   \
      return nullptr;                                                       \
    }                                                                       \
  } while (0)

bool get_number(napi_env env, napi_value value, const char* name, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok || !std::isfinite(*out)) {
    char message[128];
    std::snprintf(message, sizeof(message), "sgemm: argument %s must be a finite number", name);
    napi_throw_type_error(env, "TRL_NATIVE_ARG", message);
    return false;
  }
  return true;
}

bool get_integer(napi_env env, napi_value value, const char* name, int64_t min, int64_t* out) {
  double d = 0;
  if (!get_number(env, value, name, &d)) return false;
  if (d != std::floor(d) || d < static_cast<double>(min) || d > 9.0e15) {
    char message[160];
    std::snprintf(message, sizeof(message), "sgemm: argument %s must be an integer >= %lld (got %g)", name,
                  static_cast<long long>(min), d);
    napi_throw_range_error(env, "TRL_NATIVE_ARG", message);
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// The base pointer and byte length of an ArrayBuffer or of any TypedArray / DataView view.
bool get_bytes(napi_env env, napi_value value, uint8_t** data, double* length) {
  bool is = false;
  void* raw = nullptr;
  size_t bytes = 0;
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, value, &raw, &bytes) != napi_ok) return false;
  } else if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count = 0;
    napi_value buffer;
    size_t offset = 0;
    if (napi_get_typedarray_info(env, value, &type, &count, &raw, &buffer, &offset) != napi_ok) return false;
    size_t element = 1;
    switch (type) {
      case napi_int16_array:
      case napi_uint16_array:
        element = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        element = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        element = 8;
        break;
      default:
        element = 1;
    }
    bytes = count * element;
  } else if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    napi_value buffer;
    size_t offset = 0;
    if (napi_get_dataview_info(env, value, &bytes, &raw, &buffer, &offset) != napi_ok) return false;
  } else {
    return false;
  }
  *data = static_cast<uint8_t*>(raw);
  *length = static_cast<double>(bytes);
  return raw != nullptr || bytes == 0;
}

// Throws unless [offset, offset + 4 * (max_index + 1)) lies inside the buffer and is float-aligned.
bool check_extent(napi_env env, const char* name, int64_t offset, double max_index, double length) {
  if (offset % 4 != 0) {
    char message[128];
    std::snprintf(message, sizeof(message), "sgemm: %s offset %lld is not a multiple of 4", name,
                  static_cast<long long>(offset));
    napi_throw_range_error(env, "TRL_NATIVE_BOUNDS", message);
    return false;
  }
  if (static_cast<double>(offset) + 4.0 * (max_index + 1.0) > length) {
    char message[160];
    std::snprintf(message, sizeof(message), "sgemm: %s (offset %lld, %.0f floats) runs past the buffer (%.0f bytes)",
                  name, static_cast<long long>(offset), max_index + 1.0, length);
    napi_throw_range_error(env, "TRL_NATIVE_BOUNDS", message);
    return false;
  }
  return true;
}

// sgemm(buffer, aOffset, bOffset, cOffset, batch, m, n, k, transposeA, transposeB,
//       batchStrideA, batchStrideB, biasOffset, biasSize, activation, leakyAlpha)
// Offsets are in bytes, strides in floats; biasOffset < 0 means no bias.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 16) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "sgemm: expected 16 arguments");
    return nullptr;
  }
  uint8_t* base = nullptr;
  double length = 0;
  if (!get_bytes(env, argv[0], &base, &length)) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "sgemm: argument buffer must be an ArrayBuffer or a TypedArray");
    return nullptr;
  }
  int64_t a_off, b_off, c_off, batch, m, n, k, stride_a, stride_b, bias_off, bias_size, activation;
  double alpha = 0;
  bool trans_a = false, trans_b = false;
  if (!get_integer(env, argv[1], "aOffset", 0, &a_off) || !get_integer(env, argv[2], "bOffset", 0, &b_off) ||
      !get_integer(env, argv[3], "cOffset", 0, &c_off) || !get_integer(env, argv[4], "batch", 1, &batch) ||
      !get_integer(env, argv[5], "m", 0, &m) || !get_integer(env, argv[6], "n", 0, &n) ||
      !get_integer(env, argv[7], "k", 0, &k) || !get_integer(env, argv[10], "batchStrideA", 0, &stride_a) ||
      !get_integer(env, argv[11], "batchStrideB", 0, &stride_b) ||
      !get_integer(env, argv[12], "biasOffset", -1, &bias_off) ||
      !get_integer(env, argv[13], "biasSize", 0, &bias_size) ||
      !get_integer(env, argv[14], "activation", 0, &activation) || !get_number(env, argv[15], "leakyAlpha", &alpha))
    return nullptr;
  TRL_CALL(env, napi_get_value_bool(env, argv[8], &trans_a));
  TRL_CALL(env, napi_get_value_bool(env, argv[9], &trans_b));
  if (activation > trl::kSigmoid) {
    napi_throw_range_error(env, "TRL_NATIVE_ARG", "sgemm: activation must be 0..4");
    return nullptr;
  }
  const double last_batch = static_cast<double>(batch - 1);
  const double mk = static_cast<double>(m) * static_cast<double>(k);
  const double kn = static_cast<double>(k) * static_cast<double>(n);
  const double mn = static_cast<double>(m) * static_cast<double>(n);
  if ((mk > 0 && !check_extent(env, "A", a_off, last_batch * stride_a + mk - 1, length)) ||
      (kn > 0 && !check_extent(env, "B", b_off, last_batch * stride_b + kn - 1, length)) ||
      (mn > 0 && !check_extent(env, "C", c_off, (last_batch + 1) * mn - 1, length)))
    return nullptr;
  const bool has_bias = bias_off >= 0;
  if (has_bias) {
    if (bias_size != 1 && bias_size != n) {
      napi_throw_range_error(env, "TRL_NATIVE_ARG", "sgemm: biasSize must be 1 or n");
      return nullptr;
    }
    if (!check_extent(env, "bias", bias_off, static_cast<double>(bias_size) - 1, length)) return nullptr;
  }

  trl::GemmProblem problem;
  problem.a = reinterpret_cast<const float*>(base + a_off);
  problem.b = reinterpret_cast<const float*>(base + b_off);
  problem.c = reinterpret_cast<float*>(base + c_off);
  problem.m = m;
  problem.n = n;
  problem.k = k;
  // Row-major A is m x k (k x m when transposed); B is k x n (n x k when transposed).
  problem.rsa = trans_a ? 1 : k;
  problem.csa = trans_a ? m : 1;
  problem.rsb = trans_b ? 1 : n;
  problem.csb = trans_b ? k : 1;
  problem.ldc = n;
  problem.batch = batch;
  problem.batch_stride_a = stride_a;
  problem.batch_stride_b = stride_b;
  problem.batch_stride_c = m * n;
  trl::Epilogue epilogue{has_bias ? reinterpret_cast<const float*>(base + bias_off) : nullptr, bias_size,
                         static_cast<trl::Activation>(activation), static_cast<float>(alpha)};
  if (!trl::sgemm(problem, epilogue, g_threads)) {
    napi_throw_error(env, "TRL_NATIVE_OOM", "sgemm: could not allocate packing scratch");
    return nullptr;
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t threads = 0;
  if (argc < 1 || !get_integer(env, argv[0], "threads", 1, &threads)) return nullptr;
  g_threads = threads >= 2 ? 2 : 1;
  napi_value result;
  TRL_CALL(env, napi_create_int32(env, g_threads, &result));
  return result;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value result;
  TRL_CALL(env, napi_create_int32(env, g_threads, &result));
  return result;
}

napi_value SetKernel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char name[32] = {0};
  size_t written = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &written) != napi_ok) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "setKernel: expected 'auto', 'portable' or 'avx2'");
    return nullptr;
  }
  trl::KernelChoice choice;
  if (std::strcmp(name, "auto") == 0) {
    choice = trl::kAuto;
  } else if (std::strcmp(name, "portable") == 0) {
    choice = trl::kPortable;
  } else if (std::strcmp(name, "avx2") == 0) {
    choice = trl::kAvx2;
  } else {
    napi_throw_range_error(env, "TRL_NATIVE_ARG", "setKernel: expected 'auto', 'portable' or 'avx2'");
    return nullptr;
  }
  napi_value result;
  TRL_CALL(env, napi_get_boolean(env, trl::set_kernel(choice), &result));
  return result;
}

napi_value KernelName(napi_env env, napi_callback_info) {
  napi_value result;
  TRL_CALL(env, napi_create_string_utf8(env, trl::kernel_name(), NAPI_AUTO_LENGTH, &result));
  return result;
}

napi_value HasAvx2(napi_env env, napi_callback_info) {
  napi_value result;
  TRL_CALL(env, napi_get_boolean(env, trl::cpu_has_avx2_fma(), &result));
  return result;
}


// ---- The inference decoder -------------------------------------------------------------------

// What a JavaScript decoder handle points at; `decoder` is null once freed.
struct DecoderHolder {
  trl::StepDecoder* decoder;
};

void finalize_decoder(napi_env, void* data, void*) {
  auto* holder = static_cast<DecoderHolder*>(data);
  delete holder->decoder;
  delete holder;
}

// A typed array of the expected type; `count` receives its element count.
bool get_typed(napi_env env, napi_value value, napi_typedarray_type want, const char* name, void** data,
               size_t* count) {
  bool is = false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset = 0;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, value, &type, count, data, &buffer, &offset) != napi_ok || type != want) {
    char message[128];
    std::snprintf(message, sizeof(message), "decoder: %s must be a %s", name,
                  want == napi_int32_array ? "Int32Array" : "Float32Array");
    napi_throw_type_error(env, "TRL_NATIVE_ARG", message);
    return false;
  }
  return true;
}

trl::StepDecoder* get_decoder(napi_env env, napi_value value) {
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == nullptr) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "decoder: the handle is not a decoder");
    return nullptr;
  }
  auto* holder = static_cast<DecoderHolder*>(data);
  if (holder->decoder == nullptr) napi_throw_error(env, "TRL_NATIVE_FREED", "decoder: the decoder was freed");
  return holder->decoder;
}

// The arguments of a decoder-create call, `expected` of them; false after throwing.
bool read_create_args(napi_env env, napi_callback_info info, const char* fn, size_t expected, napi_value* argv) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != expected) {
    char message[96];
    std::snprintf(message, sizeof(message), "%s: expected %zu arguments", fn, expected);
    napi_throw_type_error(env, "TRL_NATIVE_ARG", message);
    return false;
  }
  return true;
}

// The `dims` Int32Array of a decoder-create call: `expected` entries, each at least 1; null after throwing.
const int32_t* read_dims(napi_env env, napi_value value, const char* fn, size_t expected) {
  void* raw = nullptr;
  size_t count = 0;
  if (!get_typed(env, value, napi_int32_array, "dims", &raw, &count)) return nullptr;
  char message[96];
  if (count != expected) {
    std::snprintf(message, sizeof(message), "%s: dims must have %zu entries", fn, expected);
    napi_throw_range_error(env, "TRL_NATIVE_ARG", message);
    return nullptr;
  }
  const int32_t* dims = static_cast<const int32_t*>(raw);
  for (size_t i = 0; i < expected; i++) {
    if (dims[i] < 1) {
      std::snprintf(message, sizeof(message), "%s: every dim must be at least 1", fn);
      napi_throw_range_error(env, "TRL_NATIVE_ARG", message);
      return nullptr;
    }
  }
  return dims;
}

// Refuses a KV cache of more than 1e9 floats (4 GB); false after throwing.
bool check_cache_size(napi_env env, const char* fn, double cache_floats) {
  if (cache_floats <= 1.0e9) return true;
  char message[128];
  std::snprintf(message, sizeof(message), "%s: the cache would exceed 4 GB; lower maxRows or maxSlots", fn);
  napi_throw_range_error(env, "TRL_NATIVE_ARG", message);
  return false;
}

// The weight arrays of a decoder-create call: one Float32Array of `floats[i]` entries per slot, or
// null/undefined where `optional[i]` (left as nullptr). `what` names an element in the length error.
bool read_weights(napi_env env, napi_value value, const char* fn, const char* what, const std::vector<int64_t>& floats,
                  const std::vector<bool>& optional, std::vector<const float*>* weights) {
  uint32_t length = 0;
  bool is_array = false;
  char message[128];
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, &length) != napi_ok || length != floats.size()) {
    std::snprintf(message, sizeof(message), "%s: weights must be an array of %zu %s", fn, floats.size(), what);
    napi_throw_type_error(env, "TRL_NATIVE_ARG", message);
    return false;
  }
  weights->assign(floats.size(), nullptr);
  for (uint32_t i = 0; i < length; i++) {
    napi_value element;
    napi_valuetype type;
    if (napi_get_element(env, value, i, &element) != napi_ok || napi_typeof(env, element, &type) != napi_ok) {
      napi_throw_error(env, "TRL_NATIVE_ARG", "decoder: could not read a weight");
      return false;
    }
    if ((type == napi_null || type == napi_undefined) && optional[i]) continue;
    void* raw = nullptr;
    size_t count = 0;
    if (!get_typed(env, element, napi_float32_array, "each weight", &raw, &count)) return false;
    if (static_cast<int64_t>(count) != floats[i]) {
      std::snprintf(message, sizeof(message), "%s: weights[%u] has %zu floats, expected %lld", fn, i, count,
                    static_cast<long long>(floats[i]));
      napi_throw_range_error(env, "TRL_NATIVE_ARG", message);
      return false;
    }
    (*weights)[i] = static_cast<const float*>(raw);
  }
  return true;
}

// A JavaScript handle owning `decoder`, or a thrown error (and the decoder freed) when it could not
// allocate its packed weights.
napi_value wrap_decoder(napi_env env, trl::StepDecoder* decoder, bool valid, const char* fn) {
  if (!valid) {
    delete decoder;
    char message[96];
    std::snprintf(message, sizeof(message), "%s: could not allocate the packed weights", fn);
    napi_throw_error(env, "TRL_NATIVE_OOM", message);
    return nullptr;
  }
  auto* holder = new DecoderHolder{decoder};
  napi_value result;
  TRL_CALL(env, napi_create_external(env, holder, finalize_decoder, nullptr, &result));
  return result;
}

// decoderCreate(dims: Int32Array [layers, width, heads, vocab, maxPositions, inner, maxRows, maxSlots],
//               epsilon, weights: Float32Array[], separateHead) -> handle
napi_value DecoderCreate(napi_env env, napi_callback_info info) {
  const char* fn = "decoderCreate";
  napi_value argv[4];
  if (!read_create_args(env, info, fn, 4, argv)) return nullptr;
  const int32_t* dims = read_dims(env, argv[0], fn, 8);
  if (dims == nullptr) return nullptr;
  if (dims[1] % dims[2] != 0) {
    napi_throw_range_error(env, "TRL_NATIVE_ARG", "decoderCreate: width must be a multiple of heads");
    return nullptr;
  }
  double epsilon = 0;
  if (!get_number(env, argv[1], "epsilon", &epsilon)) return nullptr;
  bool separate_head = false;
  TRL_CALL(env, napi_get_value_bool(env, argv[3], &separate_head));
  trl::DecoderDims d{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7],
                     static_cast<float>(epsilon)};
  if (!check_cache_size(env, fn, 2.0 * d.layers * d.max_rows * d.max_slots * d.width)) return nullptr;
  const std::vector<int64_t> sizes = trl::Decoder::weight_sizes(d, separate_head);
  std::vector<const float*> weights;
  if (!read_weights(env, argv[2], fn, "Float32Arrays", sizes, std::vector<bool>(sizes.size(), false), &weights))
    return nullptr;
  auto* decoder = new trl::Decoder(d, weights, separate_head);
  return wrap_decoder(env, decoder, decoder->valid(), fn);
}

// rotaryDecoderCreate(dims: Int32Array [layers, hidden, heads, kvHeads, headDim, vocab, inner, maxRows,
//                     maxSlots], epsilon, weights: (Float32Array | null)[]) -> handle
// `weights` follows RotaryDecoder::slots: null only where a slot is optional. The handle works with
// decoderForward, decoderReset and decoderFree.
napi_value RotaryDecoderCreate(napi_env env, napi_callback_info info) {
  const char* fn = "rotaryDecoderCreate";
  napi_value argv[3];
  if (!read_create_args(env, info, fn, 3, argv)) return nullptr;
  const int32_t* dims = read_dims(env, argv[0], fn, 9);
  if (dims == nullptr) return nullptr;
  if (dims[2] % dims[3] != 0 || dims[4] % 2 != 0) {
    napi_throw_range_error(env, "TRL_NATIVE_ARG",
                           "rotaryDecoderCreate: heads must be a multiple of kvHeads and headDim even");
    return nullptr;
  }
  double epsilon = 0;
  if (!get_number(env, argv[1], "epsilon", &epsilon)) return nullptr;
  trl::RotaryDims d{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7], dims[8],
                    static_cast<float>(epsilon)};
  if (!check_cache_size(env, fn, 2.0 * d.layers * d.max_rows * d.max_slots * d.kv_heads * d.head_dim))
    return nullptr;
  const std::vector<trl::RotarySlot> slots = trl::RotaryDecoder::slots(d);
  std::vector<int64_t> floats;
  std::vector<bool> optional;
  for (const trl::RotarySlot& slot : slots) {
    floats.push_back(slot.floats);
    optional.push_back(slot.optional);
  }
  std::vector<const float*> weights;
  if (!read_weights(env, argv[2], fn, "entries", floats, optional, &weights)) return nullptr;
  for (int64_t l = 0; l < d.layers; l++) {
    const float* const* w = weights.data() + 2 + l * trl::kLayerSlots;
    if ((w[trl::kQNorm] == nullptr) != (w[trl::kKNorm] == nullptr)) {
      napi_throw_type_error(env, "TRL_NATIVE_ARG", "rotaryDecoderCreate: a layer has a q norm without a k norm");
      return nullptr;
    }
  }
  auto* decoder = new trl::RotaryDecoder(d, weights);
  return wrap_decoder(env, decoder, decoder->valid(), fn);
}

// decoderForward(handle, tokens, positions, mask, rows, length, keep | null, logits)
napi_value DecoderForward(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 8) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "decoderForward: expected 8 arguments");
    return nullptr;
  }
  trl::StepDecoder* decoder = get_decoder(env, argv[0]);
  if (decoder == nullptr) return nullptr;
  int64_t rows = 0, length = 0;
  if (!get_integer(env, argv[4], "rows", 1, &rows) || !get_integer(env, argv[5], "length", 1, &length))
    return nullptr;
  void* tokens = nullptr;
  void* positions = nullptr;
  void* mask = nullptr;
  void* logits = nullptr;
  size_t n_tokens = 0, n_positions = 0, n_mask = 0, n_logits = 0;
  if (!get_typed(env, argv[1], napi_int32_array, "tokens", &tokens, &n_tokens) ||
      !get_typed(env, argv[2], napi_int32_array, "positions", &positions, &n_positions) ||
      !get_typed(env, argv[3], napi_int32_array, "mask", &mask, &n_mask) ||
      !get_typed(env, argv[7], napi_float32_array, "logits", &logits, &n_logits))
    return nullptr;
  const size_t n = static_cast<size_t>(rows * length);
  if (n_tokens != n || n_positions != n || n_mask != n) {
    napi_throw_range_error(env, "TRL_NATIVE_ARG", "decoderForward: tokens, positions and mask need rows * length entries");
    return nullptr;
  }
  void* keep = nullptr;
  napi_valuetype keep_type;
  TRL_CALL(env, napi_typeof(env, argv[6], &keep_type));
  if (keep_type != napi_null && keep_type != napi_undefined) {
    size_t n_keep = 0;
    if (!get_typed(env, argv[6], napi_int32_array, "keep", &keep, &n_keep)) return nullptr;
    if (n_keep != static_cast<size_t>(rows)) {
      napi_throw_range_error(env, "TRL_NATIVE_ARG", "decoderForward: keep needs one entry per row");
      return nullptr;
    }
  }
  if (n_logits < static_cast<size_t>(rows) * static_cast<size_t>(decoder->vocab())) {
    napi_throw_range_error(env, "TRL_NATIVE_ARG", "decoderForward: logits needs rows * vocab entries");
    return nullptr;
  }
  const std::string error = decoder->forward(
      static_cast<const int32_t*>(tokens), static_cast<const int32_t*>(positions), static_cast<const int32_t*>(mask),
      rows, length, static_cast<const int32_t*>(keep), static_cast<float*>(logits), g_threads);
  if (!error.empty()) {
    const std::string message = "decoderForward: " + error;
    napi_throw_range_error(env, "TRL_NATIVE_ARG", message.c_str());
  }
  return nullptr;
}

// decoderReset(handle): forget the cache.
napi_value DecoderReset(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  trl::StepDecoder* decoder = argc == 1 ? get_decoder(env, argv[0]) : nullptr;
  if (decoder != nullptr) decoder->reset();
  return nullptr;
}

// decoderFree(handle): release the weights and cache now rather than at garbage collection.
napi_value DecoderFree(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  void* data = nullptr;
  if (argc == 1 && napi_get_value_external(env, argv[0], &data) == napi_ok && data != nullptr) {
    auto* holder = static_cast<DecoderHolder*>(data);
    delete holder->decoder;
    holder->decoder = nullptr;
  }
  return nullptr;
}


// adamw(buffer, paramOff, gradOff, firstOff, secondOff, outParamOff, outFirstOff, outSecondOff, count,
//       beta1, beta2, epsilon, decayFactor, stepSize, biasCorrection2Sqrt)
// One AdamW update of `count` floats, read from the first four arrays and written to the last three
// (which may not overlap the inputs): m' = b1 m + (1-b1) g, v' = b2 v + (1-b2) g^2,
// p' = decayFactor p - stepSize m' / (sqrt(v') / bc2 + eps).
napi_value AdamW(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  TRL_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 15) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "adamw: expected 15 arguments");
    return nullptr;
  }
  uint8_t* base = nullptr;
  double length = 0;
  if (!get_bytes(env, argv[0], &base, &length)) {
    napi_throw_type_error(env, "TRL_NATIVE_ARG", "adamw: argument buffer must be an ArrayBuffer or a TypedArray");
    return nullptr;
  }
  const char* names[] = {"paramOffset", "gradOffset", "firstOffset", "secondOffset",
                         "outParamOffset", "outFirstOffset", "outSecondOffset"};
  int64_t offsets[7];
  int64_t count = 0;
  for (int i = 0; i < 7; i++)
    if (!get_integer(env, argv[1 + i], names[i], 0, &offsets[i])) return nullptr;
  if (!get_integer(env, argv[8], "count", 0, &count)) return nullptr;
  double settings[6];
  const char* setting_names[] = {"beta1", "beta2", "epsilon", "decayFactor", "stepSize", "biasCorrection2Sqrt"};
  for (int i = 0; i < 6; i++)
    if (!get_number(env, argv[9 + i], setting_names[i], &settings[i])) return nullptr;
  if (count == 0) return nullptr;
  for (int i = 0; i < 7; i++)
    if (!check_extent(env, names[i], offsets[i], static_cast<double>(count - 1), length)) return nullptr;
  const float* param = reinterpret_cast<const float*>(base + offsets[0]);
  const float* grad = reinterpret_cast<const float*>(base + offsets[1]);
  const float* first = reinterpret_cast<const float*>(base + offsets[2]);
  const float* second = reinterpret_cast<const float*>(base + offsets[3]);
  float* out_param = reinterpret_cast<float*>(base + offsets[4]);
  float* out_first = reinterpret_cast<float*>(base + offsets[5]);
  float* out_second = reinterpret_cast<float*>(base + offsets[6]);
  const float beta1 = static_cast<float>(settings[0]), beta2 = static_cast<float>(settings[1]);
  const float epsilon = static_cast<float>(settings[2]), decay = static_cast<float>(settings[3]);
  const float step = static_cast<float>(settings[4]);
  const float inverse_bc2 = static_cast<float>(1.0 / settings[5]);
  const float keep1 = 1.f - beta1, keep2 = 1.f - beta2;
  for (int64_t i = 0; i < count; i++) {
    const float g = grad[i];
    const float m = beta1 * first[i] + keep1 * g;
    const float v = beta2 * second[i] + keep2 * (g * g);
    out_first[i] = m;
    out_second[i] = v;
    out_param[i] = decay * param[i] - step * (m / (std::sqrt(v) * inverse_bc2 + epsilon));
  }
  return nullptr;
}

napi_value Export(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value value;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &value) != napi_ok) return nullptr;
  if (napi_set_named_property(env, exports, name, value) != napi_ok) return nullptr;
  return value;
}

}  // namespace

NAPI_MODULE_INIT() {
  static bool initialised = false;
  if (!initialised) {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    g_threads = cpus >= 2 ? 2 : 1;
    initialised = true;
  }
  if (!Export(env, exports, "sgemm", Sgemm) || !Export(env, exports, "setThreads", SetThreads) ||
      !Export(env, exports, "getThreads", GetThreads) || !Export(env, exports, "setKernel", SetKernel) ||
      !Export(env, exports, "kernelName", KernelName) || !Export(env, exports, "hasAvx2Fma", HasAvx2) ||
      !Export(env, exports, "decoderCreate", DecoderCreate) ||
      !Export(env, exports, "rotaryDecoderCreate", RotaryDecoderCreate) || !Export(env, exports, "decoderForward", DecoderForward) ||
      !Export(env, exports, "decoderReset", DecoderReset) || !Export(env, exports, "decoderFree", DecoderFree) ||
      !Export(env, exports, "adamw", AdamW))
    return nullptr;
  return exports;
}
