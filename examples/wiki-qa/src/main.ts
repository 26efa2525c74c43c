import { percent } from '@trl/example-kit/main';
import { runToolExampleMain } from '@trl/example-kit/tool-report';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment, type WikiEvalPoint } from './experiment';

/** `sampled / greedy` accuracy without the tool (measured after SFT and after PPO). */
const withoutTool = ({ withoutTool }: WikiEvalPoint) =>
  `${percent(Number(withoutTool?.sampled))} / ${percent(Number(withoutTool?.greedy))}`;

await runToolExampleMain({
  mainUrl: import.meta.url,
  configs: { smoke: SMOKE_CONFIG, full: FULL_CONFIG },
  // Tuning only: WIKI_QA_SFT_CACHE=<dir> saves the warm start there, or loads it when present.
  run: (config, runDir) =>
    runExperiment(config, { runDir, sftCacheDir: process.env.WIKI_QA_SFT_CACHE || undefined }),
  wording: ({ heldOutQuestions, afterSft, afterPpo }) => ({
    heldOut: `${heldOutQuestions} questions`,
    extraLines: [
      `without the tool (searches return nothing; sampled / greedy): after SFT ${withoutTool(afterSft)}, ` +
        `after PPO ${withoutTool(afterPpo)}`,
    ],
  }),
});
