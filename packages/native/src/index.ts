/**
 * @trl/native: an optional AVX2/FMA SGEMM addon that replaces the tfjs wasm backend's matmul
 * kernels, running in place on the wasm heap. Without the compiled addon everything falls back
 * to the stock kernels.
 */
export {
  NATIVE_ACTIVATIONS,
  type NativeActivation,
  type NativeAddon,
  type NativeDecoderHandle,
} from './addon';
export { nativeDecoderProvider, registerNativeDecoder, unregisterNativeDecoder } from './fast-decoder';
export type { KernelCallCounts } from './kernels';
export { type MatMulPlan, planMatMul } from './matmul-plan';
export {
  NATIVE_KERNEL_NAMES,
  type NativeKernelName,
  type NativeKernelOptions,
  nativeKernelOptionsSchema,
  type ResolvedNativeKernelOptions,
} from './options';
export {
  loadNativeKernels,
  type NativeKernelStatus,
  nativeAddon,
  nativeKernelStatus,
  registerNativeKernels,
  SUPPORTED_TFJS_VERSION,
  unregisterNativeKernels,
} from './register';
