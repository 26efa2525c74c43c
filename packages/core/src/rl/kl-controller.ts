import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { assertFiniteNumber } from './validate';

/** Something that owns the KL coefficient PPO multiplies the per-token KL with. */
export interface KLController {
  /** The coefficient to use for the next batch (TRL `kl_ctl.value`). */
  readonly value: number;
  /** Feeds the batch's measured KL; `nSteps` is the number of samples it covered (TRL: batch size). */
  update(currentKl: number, nSteps: number): void;
  /** Serialisable state, for checkpoints. */
  state(): KLControllerState;
  /** Restores what `state()` returned. */
  load(state: KLControllerState): void;
}

/** Checkpointed state of a KL controller. */
export const klControllerStateSchema = z.object({
  /** The current coefficient. */
  value: z.number().finite(),
});

/** Checkpointed state of a KL controller. */
export type KLControllerState = z.infer<typeof klControllerStateSchema>;

function parseState(owner: string, state: unknown): KLControllerState {
  const parsed = klControllerStateSchema.safeParse(state);
  if (!parsed.success)
    throw new TrlError(
      'invalid-checkpoint',
      `${owner}.load: invalid \`state\`: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}

/**
 * Adaptive KL coefficient from Ziegler et al. 2019 (https://arxiv.org/abs/1909.08593), as TRL's
 * `AdaptiveKLController`: nudges the coefficient so the measured KL tracks `target`.
 *
 *     e      = clip(currentKl / target - 1, -0.2, 0.2)
 *     value *= 1 + e * nSteps / horizon
 */
export class AdaptiveKLController implements KLController {
  /** The coefficient to use for the next batch. */
  value: number;
  /** KL the controller steers towards (TRL `target`, default 6). */
  readonly target: number;
  /** Samples over which a full proportional correction is applied (TRL `horizon`, default 10000). */
  readonly horizon: number;

  /**
   * @param initKlCoef starting coefficient (TRL `init_kl_coef`, default 0.2).
   * @param target KL to track (TRL `target`, default 6).
   * @param horizon TRL `horizon`, default 10000.
   */
  constructor(initKlCoef = 0.2, target = 6, horizon = 10000) {
    const fn = 'AdaptiveKLController';
    assertFiniteNumber(fn, 'initKlCoef', initKlCoef, 'nonNegative');
    assertFiniteNumber(fn, 'target', target, 'positive');
    assertFiniteNumber(fn, 'horizon', horizon, 'positive');
    this.value = initKlCoef;
    this.target = target;
    this.horizon = horizon;
  }

  /** Applies one proportional correction from the batch's mean KL. */
  update(currentKl: number, nSteps: number): void {
    assertFiniteNumber('AdaptiveKLController.update', 'currentKl', currentKl);
    assertFiniteNumber('AdaptiveKLController.update', 'nSteps', nSteps, 'nonNegative');
    const proportionalError = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.value *= 1 + (proportionalError * nSteps) / this.horizon;
  }

  /** The current coefficient, for checkpoints. */
  state(): KLControllerState {
    return { value: this.value };
  }

  /** Restores a checkpointed coefficient. */
  load(state: KLControllerState): void {
    this.value = parseState('AdaptiveKLController', state).value;
  }
}

/** A constant KL coefficient (TRL `FixedKLController`); `update` does nothing. */
export class FixedKLController implements KLController {
  /** The coefficient, never changed by `update`. */
  value: number;

  /** @param klCoef the coefficient (TRL `init_kl_coef`, default 0.2). */
  constructor(klCoef = 0.2) {
    assertFiniteNumber('FixedKLController', 'klCoef', klCoef, 'nonNegative');
    this.value = klCoef;
  }

  /** Ignores the measurement: the coefficient is fixed. */
  update(_currentKl: number, _nSteps: number): void {}

  /** The coefficient, for checkpoints. */
  state(): KLControllerState {
    return { value: this.value };
  }

  /** Restores a checkpointed coefficient. */
  load(state: KLControllerState): void {
    this.value = parseState('FixedKLController', state).value;
  }
}
