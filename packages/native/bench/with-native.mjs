// Preload that registers the native kernels before a benchmark's own initBackend('wasm'), so an
// existing bench runs unchanged:
//
//   node --import ./bench/with-native.mjs ../models/bench/gpt2.mjs --config tiny --mode train
//
// TRL_NATIVE_THREADS=1|2 picks the thread count. Prints the status to stderr.
import { nativeKernelStatus, registerNativeKernels } from '@trl/native';

const ok = registerNativeKernels();
console.error(`@trl/native: ${JSON.stringify({ registered: ok, ...nativeKernelStatus() })}`);
