import { availableParallelism } from 'node:os';
import { TrlError } from '@trl/core';
import { z } from 'zod';

/** Kernels this package can replace in the wasm backend. */
export const NATIVE_KERNEL_NAMES = ['BatchMatMul', '_FusedMatMul'] as const;

/** One of {@link NATIVE_KERNEL_NAMES}. */
export type NativeKernelName = (typeof NATIVE_KERNEL_NAMES)[number];

function defaultThreads(): 1 | 2 {
  const fromEnv = process.env.TRL_NATIVE_THREADS;
  if (fromEnv === '1' || fromEnv === '2') return fromEnv === '1' ? 1 : 2;
  return availableParallelism() >= 2 ? 2 : 1;
}

/** Options of {@link registerNativeKernels}, validated with their defaults filled in. */
export const nativeKernelOptionsSchema = z.object({
  /**
   * Plain 2-D untransposed products with fewer rows than this stay on the stock kernel
   * (XNNPACK wins for skinny products such as one decoding step).
   */
  minRows: z.number().int().min(0).default(16),
  /** Threads one large product may use; defaults to TRL_NATIVE_THREADS, else 2 on multi-core machines. */
  threads: z
    .union([z.literal(1), z.literal(2)])
    .optional()
    .transform((value) => value ?? defaultThreads()),
  /** Which kernels to replace. */
  kernels: z
    .array(z.enum(NATIVE_KERNEL_NAMES))
    .min(1)
    .default([...NATIVE_KERNEL_NAMES]),
  /** Micro-kernel choice: `auto` uses AVX2/FMA when the CPU has it; `portable` forces plain C++. */
  microKernel: z.enum(['auto', 'portable']).default('auto'),
  /** Also register the native GPT-2 decoder for generation (see `registerNativeDecoder`). */
  decoder: z.boolean().default(true),
  /** Also provide @trl/core's `fusedAdamW` capability (one native call per parameter update) on wasm. */
  adamw: z.boolean().default(true),
});

/** What callers may pass to {@link registerNativeKernels}. */
export type NativeKernelOptions = z.input<typeof nativeKernelOptionsSchema>;

/** Options with defaults applied. */
export type ResolvedNativeKernelOptions = z.output<typeof nativeKernelOptionsSchema>;

/** Validates options, throwing an Error that names the bad field. */
export function resolveNativeKernelOptions(options: NativeKernelOptions = {}): ResolvedNativeKernelOptions {
  const parsed = nativeKernelOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`,
    );
    throw new TrlError('invalid-value', `registerNativeKernels: invalid options — ${issues.join('; ')}`);
  }
  return parsed.data;
}
