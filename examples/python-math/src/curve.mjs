/**
 * The learning curve as a chart (the kit's `runToolPpo` writes it): held-out accuracy (sampled and greedy), tool-call rate and share of
 * programs that ran cleanly at each evaluation, and the reward of each PPO training batch.
 */
export function learningCurve(curve) {
  const atEval = (pick) => curve.eval.map((point) => ({ x: point.step, y: pick(point) }));
  return {
    title: 'Python word problems: PPO after the SFT warm start',
    xLabel: 'PPO step',
    yLabel: 'rate',
    yDomain: [0, 1],
    series: [
      { name: 'held-out accuracy', points: atEval((p) => p.sampled.accuracy), markers: true },
      { name: 'held-out acc. (greedy)', points: atEval((p) => p.greedy.accuracy), markers: true },
      { name: 'held-out tool calls', points: atEval((p) => p.sampled.toolCallRate), markers: true },
      { name: 'programs ran clean', points: atEval((p) => p.sampled.cleanRunRate), markers: true },
      {
        name: 'train batch reward',
        points: curve.train.map((point) => ({ x: point.step, y: point.reward })),
        dashed: true,
      },
    ],
  };
}
