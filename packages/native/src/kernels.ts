import type { tf } from '@trl/core';
import { NATIVE_ACTIVATIONS, type NativeAddon } from './addon';
import { type MatMulPlan, planMatMul } from './matmul-plan';
import { type NativeEpilogue, runNativeMatMul } from './native-matmul';
import type { ResolvedNativeKernelOptions } from './options';

type KernelFunc = tf.KernelFunc;
type TensorInfo = tf.TensorInfo;

/** Called when the addon rejected a call: `registerNativeKernels`' state then stops using native code. */
export type NativeFailureHandler = (error: unknown) => void;

interface KernelContext {
  addon: NativeAddon;
  options: ResolvedNativeKernelOptions;
  stock: KernelFunc;
  /** Whether native calls are still allowed (false after a failure). */
  enabled: () => boolean;
  onFailure: NativeFailureHandler;
}

/** How many calls of the replaced kernels ran natively and how many went to the stock kernel. */
export interface KernelCallCounts {
  /** Calls computed by the addon. */
  native: number;
  /** Calls handed to the stock kernel (skinny, unsupported, or after a failure). */
  stock: number;
}

const counts: KernelCallCounts = { native: 0, stock: 0 };

/** A snapshot of the call counters (they only grow; diff two snapshots). */
export function kernelCallCounts(): KernelCallCounts {
  return { ...counts };
}

/** Runs the native product, or the stock kernel when native is off, unsupported, or fails. */
function runOrFallBack(
  context: KernelContext,
  args: Parameters<KernelFunc>[0],
  native: () => TensorInfo | undefined,
): TensorInfo | TensorInfo[] {
  if (!context.enabled()) {
    counts.stock++;
    return context.stock(args);
  }
  let result: TensorInfo | undefined;
  try {
    result = native();
  } catch (error) {
    context.onFailure(error);
    result = undefined;
  }
  if (result) {
    counts.native++;
    return result;
  }
  counts.stock++;
  return context.stock(args);
}

function inputPair(args: Parameters<KernelFunc>[0]): [TensorInfo, TensorInfo] | undefined {
  const { a, b } = args.inputs;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  return [a, b];
}

/** Whether a product should stay on XNNPACK: plain, skinny, and not K = 0 (where stock returns garbage). */
function staysOnXnnpack(plan: MatMulPlan, minRows: number): boolean {
  return plan.plain2d && plan.m < minRows && plan.k > 0;
}

/** The operands and plan of a product the addon runs. */
interface NativeProduct {
  a: TensorInfo;
  b: TensorInfo;
  plan: MatMulPlan;
}

/**
 * A matmul kernel that plans the product and hands it to `run` when the addon should take it; the
 * stock kernel runs when planning or `run` declines (undefined) and when the addon fails.
 */
function nativeProductKernel(
  context: KernelContext,
  run: (args: Parameters<KernelFunc>[0], product: NativeProduct) => TensorInfo | undefined,
): KernelFunc {
  return (args) =>
    runOrFallBack(context, args, () => {
      const pair = inputPair(args);
      if (!pair) return undefined;
      const [a, b] = pair;
      const plan = planMatMul(
        a.shape,
        b.shape,
        Boolean(args.attrs?.transposeA),
        Boolean(args.attrs?.transposeB),
      );
      if (!plan || staysOnXnnpack(plan, context.options.minRows)) return undefined;
      return run(args, { a, b, plan });
    });
}

/** BatchMatMul on the addon; the stock kernel keeps skinny 2-D products and anything unusual. */
export function nativeBatchMatMul(context: KernelContext): KernelFunc {
  return nativeProductKernel(context, (args, { a, b, plan }) =>
    runNativeMatMul(context.addon, args.backend, a, b, plan),
  );
}

/** Which fused epilogues the addon can run: a bias of size 1 or n and the listed activations. */
function fusedEpilogue(args: Parameters<KernelFunc>[0], n: number): NativeEpilogue | undefined {
  const { bias, preluActivationWeights } = args.inputs;
  if (preluActivationWeights) return undefined;
  const name = String(args.attrs?.activation ?? 'linear');
  if (!Object.hasOwn(NATIVE_ACTIVATIONS, name)) return undefined;
  const activation = NATIVE_ACTIVATIONS[name as keyof typeof NATIVE_ACTIVATIONS];
  const alpha = Number(args.attrs?.leakyreluAlpha ?? 0.2);
  if (!bias) return { activation, leakyAlpha: alpha };
  const size = bias.shape.reduce((acc, d) => acc * d, 1);
  const lastDim = bias.shape[bias.shape.length - 1] ?? 1;
  if (bias.dtype !== 'float32' || (size !== 1 && !(size === n && lastDim === n))) return undefined;
  return { bias, activation, leakyAlpha: alpha };
}

/** _FusedMatMul (matmul + bias + activation) on the addon; PReLU and other biases use the stock kernel. */
export function nativeFusedMatMul(context: KernelContext): KernelFunc {
  return nativeProductKernel(context, (args, { a, b, plan }) => {
    const epilogue = fusedEpilogue(args, plan.n);
    if (!epilogue) return undefined;
    return runNativeMatMul(context.addon, args.backend, a, b, plan, epilogue);
  });
}
