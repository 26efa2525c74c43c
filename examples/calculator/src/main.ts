import { runToolExampleMain } from '@trl/example-kit/tool-report';
import { FULL_CONFIG, SMOKE_CONFIG } from './config';
import { runExperiment } from './experiment';

await runToolExampleMain({
  mainUrl: import.meta.url,
  configs: { smoke: SMOKE_CONFIG, full: FULL_CONFIG },
  run: (config, runDir) => runExperiment(config, { runDir }),
  wording: (summary) => ({ heldOut: `${summary.heldOutTasks} tasks`, toolCallLabel: 'tool-call rate' }),
});
