import { percent, runExampleMain } from '@trl/example-kit/main';
import { toolPpoReport } from '@trl/example-kit/tool-report';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment, type WikiEvalPoint } from './experiment';

/** `sampled / greedy` accuracy without the tool (measured after SFT and after PPO). */
const withoutTool = ({ withoutTool }: WikiEvalPoint) =>
  `${percent(Number(withoutTool?.sampled))} / ${percent(Number(withoutTool?.greedy))}`;

await runExampleMain({
  name: 'wiki-qa',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  // Tuning only: WIKI_QA_SFT_CACHE=<dir> saves the warm start there, or loads it when present.
  run: (config, runDir) =>
    runExperiment(config, { runDir, sftCacheDir: process.env.WIKI_QA_SFT_CACHE || undefined }),
  report: (summary, runDir) =>
    toolPpoReport(summary, runDir, {
      heldOut: `${summary.heldOutQuestions} questions`,
      extraLines: [
        `without the tool (searches return nothing; sampled / greedy): after SFT ${withoutTool(summary.afterSft)}, ` +
          `after PPO ${withoutTool(summary.afterPpo)}`,
      ],
    }),
});
