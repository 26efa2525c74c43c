import type { RunningMoments } from '@trl/core';

/** float32 machine epsilon, what TRL adds to the running std (`torch.finfo(float32).eps`). */
const FLOAT32_EPSILON = 1.1920928955078125e-7;

/** Which score transforms to apply, as in `PPOConfig`. */
export interface ScoreTransformOptions {
  /** Divide by the running std. */
  useScoreScaling: boolean;
  /** Also subtract the running mean (with `useScoreScaling`). */
  useScoreNorm: boolean;
  /** Clip to [-scoreClip, scoreClip] after scaling. */
  scoreClip?: number | undefined;
}

/**
 * TRL's score preprocessing in `step`: fold the batch into the running moments, divide by the
 * running std (optionally after subtracting the running mean), then clip. One fix: after a single
 * score in total the running std is undefined (NaN in TRL, which poisons every later step) or 0;
 * then the scores are not divided.
 */
export function transformScores(
  scores: readonly number[],
  moments: RunningMoments,
  options: ScoreTransformOptions,
): number[] {
  let result = [...scores];
  if (options.useScoreScaling) {
    moments.update(result);
    const std = Number.isFinite(moments.std) && moments.std > 0 ? moments.std : 1;
    const factor = std + FLOAT32_EPSILON;
    const shift = options.useScoreNorm ? moments.mean : 0;
    result = result.map((score) => (score - shift) / factor);
  }
  const clip = options.scoreClip;
  if (clip !== undefined) result = result.map((score) => Math.min(clip, Math.max(-clip, score)));
  return result;
}
