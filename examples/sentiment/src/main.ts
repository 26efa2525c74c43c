#!/usr/bin/env node
import { percent, runExampleMain } from '@trl/example-kit/main';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment } from './experiment';

await runExampleMain({
  name: 'sentiment',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  run: (config, runDir) => runExperiment(config, { runDir }),
  report: ({ beforePpo, afterPpo, classifier, ...summary }, runDir) => [
    ...(classifier
      ? [
          `reward: log-odds of POSITIVE by the sentiment classifier (${classifier.source})` +
            (classifier.accuracyAfter === undefined
              ? ''
              : `, held-out accuracy ${percent(classifier.accuracyBefore ?? Number.NaN)} -> ${percent(classifier.accuracyAfter)}`),
        ]
      : ['reward: AFINN-165 comparative score']),
    `held-out mean reward (${summary.evalSamples} continuations of ${summary.heldOutOpenings} unseen openings): ` +
      `before PPO ${beforePpo.meanReward}, after PPO ${afterPpo.meanReward}`,
    `AFINN-165: mean ${beforePpo.afinnMean} -> ${afterPpo.afinnMean}; positive continuations ${percent(beforePpo.positiveRate)} -> ${percent(afterPpo.positiveRate)}, ` +
      `negative ${percent(beforePpo.negativeRate)} -> ${percent(afterPpo.negativeRate)}`,
    ...(afterPpo.classifierPositiveRate === undefined
      ? []
      : [
          `classifier says POSITIVE: ${percent(beforePpo.classifierPositiveRate ?? Number.NaN)} -> ${percent(afterPpo.classifierPositiveRate)}`,
        ]),
    `objective/kl per PPO step: final ${summary.finalKl}, median ${summary.medianKl}, max ${summary.maxKl}`,
    `wall time: ${summary.totalSeconds} s (SFT ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ],
});
