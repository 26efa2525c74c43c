import { writeFileSync } from 'node:fs';
import { lineChartSvg } from '@trl/example-kit/svg-chart';

/** The learning curve's series: held-out accuracy (sampled, greedy), tool calls, clean runs, batch reward. */
export function curveSeries(curve) {
  return [
    {
      name: 'held-out accuracy',
      points: curve.eval.map((p) => ({ x: p.step, y: p.sampled.accuracy })),
      markers: true,
    },
    {
      name: 'held-out acc. (greedy)',
      points: curve.eval.map((p) => ({ x: p.step, y: p.greedy.accuracy })),
      markers: true,
    },
    {
      name: 'held-out tool calls',
      points: curve.eval.map((p) => ({ x: p.step, y: p.sampled.toolCallRate })),
      markers: true,
    },
    {
      name: 'programs ran clean',
      points: curve.eval.map((p) => ({ x: p.step, y: p.sampled.cleanRunRate })),
      markers: true,
    },
    {
      name: 'train batch reward',
      points: curve.train.map((p) => ({ x: p.step, y: p.reward })),
      dashed: true,
    },
  ];
}

/** Writes the learning curve to `<basePath>.svg`; returns the paths written. */
export async function writeLearningCurve(curve, basePath) {
  const svg = lineChartSvg({
    title: 'Python word problems: PPO after the SFT warm start',
    xLabel: 'PPO step',
    yLabel: 'rate',
    yDomain: [0, 1],
    series: curveSeries(curve),
  });
  writeFileSync(`${basePath}.svg`, svg);
  return [`${basePath}.svg`];
}
