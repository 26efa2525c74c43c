/**
 * Child process of the crash test: saves a trainer at step 0 to `dir`, takes one PPO step, then saves
 * again to `dir` and SIGKILLs itself at the named step of that second save (`none`: never). With a
 * third argument it also saves the step-0 state there, as the reference "old" checkpoint. Prints the
 * steps the second save passed through, as JSON.
 */
import { initBackend, setStagedWriteHook } from '@trl/core';
import { PPOTrainer } from '../../src/index';
import { toyBatch } from './batch';
import { tinyPolicy, tinyTokenizer } from './tiny-model';

async function main(dir: string, killAt: string, oldCopy: string | undefined): Promise<void> {
  await initBackend('cpu');
  const ppo = new PPOTrainer({
    // One epoch over two samples: enough to change every file, cheap enough to spawn a dozen times.
    config: { miniBatchSize: 2, ppoEpochs: 1, learningRate: 2e-3, seed: 3 },
    model: tinyPolicy(1, { layers: 1, width: 16 }),
    tokenizer: tinyTokenizer(),
  });
  await ppo.save(dir);
  if (oldCopy) await ppo.save(oldCopy);
  const batch = toyBatch(2, 5);
  await ppo.step(batch.queries, batch.responses, batch.scores);
  const steps: string[] = [];
  setStagedWriteHook((step) => {
    steps.push(step);
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  });
  await ppo.save(dir);
  process.stdout.write(JSON.stringify(steps));
}

const [dir, killAt, oldCopy] = process.argv.slice(2);
if (!dir || !killAt) throw new Error('usage: save-child <dir> <step|none> [old-copy-dir]');
main(dir, killAt, oldCopy).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
