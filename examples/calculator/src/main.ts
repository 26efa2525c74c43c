import { runExampleMain } from '@trl/example-kit/main';
import { toolPpoReport } from '@trl/example-kit/tool-report';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment } from './experiment';

await runExampleMain({
  name: 'calculator',
  mainUrl: import.meta.url,
  smokeConfig: SMOKE_CONFIG,
  fullConfig: FULL_CONFIG,
  run: (config, runDir) => runExperiment(config, { runDir }),
  report: (summary, runDir) =>
    toolPpoReport(summary, runDir, {
      heldOut: `${summary.heldOutTasks} tasks`,
      toolCallLabel: 'tool-call rate',
    }),
});
