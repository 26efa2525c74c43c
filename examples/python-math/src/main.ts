import { runExampleMain } from '@trl/example-kit/main';
import { beforeAfter, toolPpoReport } from '@trl/example-kit/tool-report';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment } from './experiment';

await runExampleMain({
  name: 'python-math',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  run: (config, runDir) => runExperiment(config, { runDir }),
  report: (summary, runDir) =>
    toolPpoReport(summary, runDir, {
      heldOut: `${summary.heldOutProblems} problems`,
      sftLabel: 'tokenizer + SFT',
      extraLines: [
        beforeAfter(
          'programs that ran without error (sampled)',
          Number(summary.afterSft.sampled.cleanRunRate),
          Number(summary.afterPpo.sampled.cleanRunRate),
        ),
      ],
    }),
});
// Pyodide's worker is closed; nothing else should keep the process alive.
process.exit(0);
