import { beforeAfter, runToolExampleMain } from '@trl/example-kit/tool-report';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment } from './experiment';

await runToolExampleMain({
  mainUrl: import.meta.url,
  configs: { smoke: SMOKE_CONFIG, full: FULL_CONFIG },
  run: (config, runDir) => runExperiment(config, { runDir }),
  wording: ({ heldOutProblems, afterSft, afterPpo }) => ({
    heldOut: `${heldOutProblems} problems`,
    sftLabel: 'tokenizer + SFT',
    extraLines: [
      beforeAfter(
        'programs that ran without error (sampled)',
        Number(afterSft.sampled.cleanRunRate),
        Number(afterPpo.sampled.cleanRunRate),
      ),
    ],
  }),
});
// Pyodide's worker is closed; nothing else should keep the process alive.
process.exit(0);
