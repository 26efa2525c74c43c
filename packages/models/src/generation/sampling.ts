import type { Rng } from '@trl/core';

/** How to pick the next token from one row's logits. */
export interface TokenChoiceSettings {
  /** Sample (true) or argmax (false). */
  readonly doSample: boolean;
  /** Softmax temperature, applied when sampling. */
  readonly temperature: number;
  /** Keep only the k largest logits; 0 = off. */
  readonly topK: number;
  /** Keep the smallest most-likely set with mass ≥ topP; 1 = off. */
  readonly topP: number;
}

/** A chosen token and its log-probability. */
export interface TokenChoice {
  /** The token id. */
  readonly tokenId: number;
  /** log p(token) under softmax(logits / temperature) before top-k/top-p truncation (temperature 1 when greedy). */
  readonly logprob: number;
}

/**
 * Picks the next token of one row. `logits` may hold -Infinity for banned ids (e.g. eos before
 * `minNewTokens`). Sampling filters as transformers' TopK then TopP warpers, then draws with `rng`.
 */
export function chooseToken(logits: Float32Array, settings: TokenChoiceSettings, rng: Rng): TokenChoice {
  const scale = settings.doSample ? 1 / settings.temperature : 1;
  const vocab = logits.length;
  const scaled = new Float64Array(vocab);
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < vocab; i++) {
    const z = logits[i]! * scale;
    scaled[i] = z;
    if (z > max) {
      max = z;
      argmax = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(scaled[i]! - max);
  const logNorm = max + Math.log(sum);
  const logprobOf = (id: number) => scaled[id]! - logNorm;
  if (!settings.doSample) return { tokenId: argmax, logprob: logprobOf(argmax) };

  const kept = keptTokens(scaled, settings.topK, settings.topP, logNorm);
  let mass = 0;
  for (const id of kept) mass += Math.exp(scaled[id]! - logNorm);
  let u = rng.next() * mass;
  for (const id of kept) {
    u -= Math.exp(scaled[id]! - logNorm);
    if (u < 0) return { tokenId: id, logprob: logprobOf(id) };
  }
  // Rounding can leave u a hair above zero: take the last kept token with mass.
  const last = [...kept].reverse().find((id) => scaled[id]! > -Infinity) ?? argmax;
  return { tokenId: last, logprob: logprobOf(last) };
}

/** Ids surviving top-k then top-p, most likely first (all ids, in id order, when both are off). */
function keptTokens(scaled: Float64Array, topK: number, topP: number, logNorm: number): number[] {
  const vocab = scaled.length;
  if ((topK === 0 || topK >= vocab) && topP >= 1) return Array.from({ length: vocab }, (_, i) => i);
  const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => scaled[b]! - scaled[a]!);
  let kept = order;
  if (topK > 0 && topK < vocab) {
    // Ties with the k-th value stay, as transformers' `logits < kth_value` filter keeps them.
    const kth = scaled[order[topK - 1]!]!;
    kept = order.filter((id) => scaled[id]! >= kth);
  }
  if (topP < 1) {
    // transformers renormalises after top-k before applying top-p.
    let keptMass = 0;
    for (const id of kept) keptMass += Math.exp(scaled[id]! - logNorm);
    let cumulative = 0;
    const nucleus: number[] = [];
    for (const id of kept) {
      nucleus.push(id);
      cumulative += Math.exp(scaled[id]! - logNorm) / keptMass;
      if (cumulative >= topP) break;
    }
    kept = nucleus;
  }
  return kept;
}
