import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { chooseToken } from '../src/generation/sampling';

const probs = [0.5, 0.3, 0.15, 0.05];
const logits = Float32Array.from(probs, (p) => Math.log(p) + 3);
const settings = { doSample: true, temperature: 1, topK: 0, topP: 1 };

function frequencies(draws: number, options: typeof settings, source = logits): number[] {
  const rng = new Rng(0);
  const counts = new Array(source.length).fill(0);
  for (let i = 0; i < draws; i++) counts[chooseToken(source, options, rng).tokenId]++;
  return counts.map((c) => c / draws);
}

describe('chooseToken', () => {
  it('takes the argmax when greedy, with its log-softmax', () => {
    const choice = chooseToken(logits, { ...settings, doSample: false, temperature: 0.5 }, new Rng(1));
    expect(choice.tokenId).toBe(0);
    expect(choice.logprob).toBeCloseTo(Math.log(0.5), 6);
  });

  it('samples in proportion to the probabilities', () => {
    const seen = frequencies(20000, settings);
    for (const [i, f] of seen.entries()) expect(f).toBeCloseTo(probs[i]!, 1);
  });

  it('reports log p under softmax(logits / temperature)', () => {
    const t = 2;
    const z = probs.map((p) => Math.sqrt(p));
    const norm = z.reduce((a, b) => a + b, 0);
    const choice = chooseToken(logits, { ...settings, temperature: t }, new Rng(3));
    expect(choice.logprob).toBeCloseTo(Math.log(z[choice.tokenId]! / norm), 5);
  });

  it('keeps only the top k, renormalised', () => {
    const seen = frequencies(20000, { ...settings, topK: 2 });
    expect(seen[2]).toBe(0);
    expect(seen[3]).toBe(0);
    expect(seen[0]).toBeCloseTo(0.5 / 0.8, 1);
  });

  it('keeps the smallest set reaching top p', () => {
    const seen = frequencies(5000, { ...settings, topP: 0.75 });
    expect(seen[2]).toBe(0);
    expect(seen[3]).toBe(0);
    expect(seen[0]! + seen[1]!).toBe(1);
    // A tiny topP still keeps the single most likely token.
    expect(frequencies(200, { ...settings, topP: 0.01 })[0]).toBe(1);
  });

  it('never draws a banned (-Infinity) token', () => {
    const banned = Float32Array.from(logits);
    banned[0] = -Infinity;
    const seen = frequencies(5000, settings, banned);
    expect(seen[0]).toBe(0);
    expect(seen[1]).toBeCloseTo(0.6, 1);
  });
});
