import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { grpoAdvantages } from '../src/rl/index';
import { expectClose, loadGrpoAdvantagesFixture, withNaN } from './fixtures/grpo-dpo/fixture';
import { describeEachBackend } from './helpers/backends';

const fixture = loadGrpoAdvantagesFixture();

describeEachBackend(`grpoAdvantages parity with TRL ${fixture.trl_version}`, () => {
  it('the fixture covers every scaling, both aggregations, NaN rewards and a zero-std group', () => {
    const scales = new Set(fixture.cases.map((c) => c.scaleRewards));
    const aggregations = new Set(fixture.cases.map((c) => c.multiObjectiveAggregation));
    expect([...scales].sort()).toEqual(['batch', 'group', 'none']);
    expect(aggregations.size).toBe(2);
    expect(fixture.rewardsPerFunc.flat().filter((v) => v === null).length).toBeGreaterThan(2);
    expect(fixture.cases[0]?.frac_reward_zero_std).toBeGreaterThan(0);
  });

  for (const c of fixture.cases) {
    const name =
      `${c.multiObjectiveAggregation} / scaleRewards '${c.scaleRewards}' / numGenerations ${c.numGenerations}` +
      (c.rewardWeights === null ? ' / one function, default weights' : '');
    it(`matches TRL: ${name}`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const rewards = tf.tensor2d(withNaN(c.rewardsPerFunc ?? fixture.rewardsPerFunc) as number[][]);
        const input = c.rewardWeights === null ? rewards.squeeze([1]) : rewards;
        const out = grpoAdvantages(input, {
          numGenerations: c.numGenerations,
          scaleRewards: c.scaleRewards,
          multiObjectiveAggregation: c.multiObjectiveAggregation,
          ...(c.rewardWeights === null ? {} : { rewardWeights: c.rewardWeights }),
        });
        expectClose('advantages', out.advantages, c.advantages);
        expectClose('rewards', out.rewards, c.rewards);
        expectClose('reward', out.stats.reward, c.reward);
        expectClose('reward_std', out.stats.rewardStd, c.reward_std);
        expectClose('frac_reward_zero_std', out.stats.fracRewardZeroStd, c.frac_reward_zero_std);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('refuses rows that do not split into groups, and a wrong number of weights', () => {
    const rewards = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(() => grpoAdvantages(rewards, { numGenerations: 2 })).toThrow(
      /not a positive multiple of numGenerations/,
    );
    expect(() => grpoAdvantages(rewards, { numGenerations: 3, rewardWeights: [1] })).toThrow(
      /one weight per function/,
    );
    expect(() => grpoAdvantages(rewards, { numGenerations: 3, scaleRewards: 'std' as 'group' })).toThrow(
      /scaleRewards/,
    );
    rewards.dispose();
  });
});
