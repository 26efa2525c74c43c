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
  let argmax = 0;
  for (let i = 1; i < vocab; i++) {
    if (logits[i]! > logits[argmax]!) argmax = i;
  }
  const max = logits[argmax]! * scale;
  // Unnormalised probabilities exp(z - max), and their sum, in float64.
  const weights = new Float64Array(vocab);
  let total = 0;
  for (let i = 0; i < vocab; i++) {
    const w = Math.exp(logits[i]! * scale - max);
    weights[i] = w;
    total += w;
  }
  const logprobOf = (id: number) => logits[id]! * scale - max - Math.log(total);
  if (!settings.doSample) return { tokenId: argmax, logprob: logprobOf(argmax) };

  const filtered = (settings.topK > 0 && settings.topK < vocab) || settings.topP < 1;
  const kept = filtered ? keptTokens(weights, settings.topK, settings.topP) : undefined;
  let mass = total;
  if (kept) {
    mass = 0;
    for (const id of kept) mass += weights[id]!;
  }
  let u = rng.next() * mass;
  const count = kept ? kept.length : vocab;
  let last = argmax;
  for (let k = 0; k < count; k++) {
    const id = kept ? kept[k]! : k;
    if (weights[id]! === 0) continue;
    last = id;
    u -= weights[id]!;
    if (u < 0) return { tokenId: id, logprob: logprobOf(id) };
  }
  // Rounding can leave u a hair above zero: take the last token with mass.
  return { tokenId: last, logprob: logprobOf(last) };
}

/** Ids surviving top-k then top-p, most likely first (transformers' TopK then TopP warpers). */
function keptTokens(weights: Float64Array, topK: number, topP: number): number[] {
  const vocab = weights.length;
  const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => weights[b]! - weights[a]!);
  let kept = order;
  if (topK > 0 && topK < vocab) {
    // Ties with the k-th value stay, as transformers' `logits < kth_value` filter keeps them.
    const kth = weights[order[topK - 1]!]!;
    kept = order.filter((id) => weights[id]! >= kth);
  }
  if (topP < 1) {
    // transformers renormalises after top-k before applying top-p.
    let keptMass = 0;
    for (const id of kept) keptMass += weights[id]!;
    let cumulative = 0;
    const nucleus: number[] = [];
    for (const id of kept) {
      nucleus.push(id);
      cumulative += weights[id]! / keptMass;
      if (cumulative >= topP) break;
    }
    kept = nucleus;
  }
  return kept;
}
