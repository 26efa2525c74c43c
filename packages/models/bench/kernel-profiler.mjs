// Bench-only per-kernel timer for synchronous backends (wasm, cpu). tf.profile() names the kernels
// but gives no time per kernel on wasm, and the DEBUG flag logs every call; instead every kernel
// registered for the active backend is re-registered behind a wrapper that times its kernelFunc
// with performance.now(). The engine looks kernels up on every call, so the swap takes effect at
// once and `stop()` restores the originals. Times are exclusive: a kernel that dispatches another
// kernel through the engine is charged only its own part. On a shared machine a preemption lands in
// whichever kernel is running, so each kernel's time is kept per step and the median step reported.
import { performance } from 'node:perf_hooks';

/** Times every kernel of the active backend from construction until `stop()`. */
export class KernelProfiler {
  /** `tf` is the tfjs namespace the benchmark runs on (one instance: @trl/core's). */
  constructor(tf) {
    this.tf = tf;
    this.backend = tf.getBackend();
    this.totals = new Map();
    this.childTime = [];
    this.perStep = [];
    this.originals = tf.getKernelsForBackend(this.backend);
    for (const config of this.originals) {
      tf.unregisterKernel(config.kernelName, this.backend);
      tf.registerKernel({ ...config, kernelFunc: this.wrap(config) });
    }
  }

  wrap(config) {
    const entry = { calls: 0, ms: 0 };
    this.totals.set(config.kernelName, entry);
    const stack = this.childTime;
    return (params) => {
      stack.push(0);
      const t0 = performance.now();
      try {
        return config.kernelFunc(params);
      } finally {
        const elapsed = performance.now() - t0;
        const nested = stack.pop();
        if (stack.length > 0) stack[stack.length - 1] += elapsed;
        entry.calls++;
        entry.ms += elapsed - nested;
      }
    };
  }

  /** Closes one step: its kernel times (and wall time `stepMs`) become one sample of the medians. */
  markStep(stepMs) {
    const step = { stepMs, kernels: new Map() };
    for (const [kernel, entry] of this.totals) {
      if (entry.calls > 0) step.kernels.set(kernel, { calls: entry.calls, ms: entry.ms });
      entry.calls = 0;
      entry.ms = 0;
    }
    this.perStep.push(step);
  }

  /**
   * Restores the original kernels and returns the profile of the marked steps: per kernel its calls
   * per step and its median time per step; `step_ms` is the median step, and `other_ms` what of it
   * the kernel medians leave (JavaScript, tape bookkeeping, uploads and reads of tensor data).
   */
  stop() {
    for (const config of this.originals) {
      this.tf.unregisterKernel(config.kernelName, this.backend);
      this.tf.registerKernel(config);
    }
    const steps = this.perStep.length;
    const stepMs = median(this.perStep.map((step) => step.stepMs));
    const names = new Set(this.perStep.flatMap((step) => [...step.kernels.keys()]));
    const kernels = [...names]
      .map((kernel) => {
        const samples = this.perStep.map((step) => step.kernels.get(kernel) ?? { calls: 0, ms: 0 });
        const ms = median(samples.map((sample) => sample.ms));
        const calls = samples.reduce((sum, sample) => sum + sample.calls, 0) / steps;
        return { kernel, calls, ms, share: ms / stepMs };
      })
      .sort((a, b) => b.ms - a.ms);
    const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
    return { steps, step_ms: stepMs, kernel_ms: kernelMs, other_ms: stepMs - kernelMs, kernels };
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A Markdown table of a profile: kernel, calls per step, ms per step, share of the step. */
export function formatKernelTable(profile, top = 20) {
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const lines = ['| kernel | calls/step | ms/step (median) | share |', '| --- | ---: | ---: | ---: |'];
  for (const k of profile.kernels.slice(0, top))
    lines.push(`| ${k.kernel} | ${Math.round(k.calls)} | ${k.ms.toFixed(1)} | ${pct(k.share)} |`);
  const rest = profile.kernels.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((sum, k) => sum + k.ms, 0);
    const calls = rest.reduce((sum, k) => sum + k.calls, 0);
    lines.push(
      `| ${rest.length} other kernels | ${Math.round(calls)} | ${ms.toFixed(1)} | ${pct(ms / profile.step_ms)} |`,
    );
  }
  lines.push(
    `| (outside kernels) | | ${profile.other_ms.toFixed(1)} | ${pct(profile.other_ms / profile.step_ms)} |`,
    `| **step (median)** | ${Math.round(profile.kernels.reduce((sum, k) => sum + k.calls, 0))} | ${profile.step_ms.toFixed(1)} | 100% |`,
  );
  return lines.join('\n');
}
