import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyGpt2, tinyTokenizer, useTestBackend } from '@trl/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_HELP } from '../src/options/help';
import { cliFields } from '../src/options/zod-fields';
import { COMMANDS, runCli } from '../src/program';

/** Runs the CLI, capturing what it prints. */
async function trl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
  });
  return { code, out, err };
}

/** Runs `command` on the tiny model saved in `beforeAll`. */
function onTinyModel(command: string, ...rest: string[]): ReturnType<typeof trl> {
  return trl(command, '--model-name-or-path', modelDir, ...rest);
}

/** Asserts that a run printed no error and exited 0; returns its summary. */
function expectSuccess(run: { code: number; out: string; err: string }): Record<string, number> {
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  return summaryOf(run.out);
}

/** The JSON summary a training command prints last. */
function summaryOf(out: string): Record<string, number> {
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

let dir: string;
let modelDir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'trl-cli-'));
  modelDir = join(dir, 'tiny-gpt2');
  const model = tinyGpt2(0, { positions: 32, width: 16 });
  await model.savePretrained(modelDir);
  await tinyTokenizer().savePretrained(modelDir);
  model.dispose();
  await writeFile(
    join(dir, 'sft.jsonl'),
    ['ab ab ab', 'cd cd cd', 'ab cd ab', 'cd ab cd'].map((text) => JSON.stringify({ text })).join('\n'),
  );
  await writeFile(
    join(dir, 'pairs.csv'),
    'chosen,rejected,margin\ngood,bad,0\nvery good,very bad,1\ngood one,bad one,0\n',
  );
  await writeFile(
    join(dir, 'prompts.jsonl'),
    ['hi', 'ok', 'yo', 'so'].map((prompt) => JSON.stringify({ prompt })).join('\n'),
  );
  await writeFile(
    join(dir, 'dpo.jsonl'),
    [
      { prompt: 'sky:', chosen: ' blue', rejected: ' green' },
      { prompt: 'snow:', chosen: ' white', rejected: ' black' },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n'),
  );
  await writeFile(join(dir, 'broken.jsonl'), '{"text": "fine"}\n{"text": \n{"text": "ok"}\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('trl --help', () => {
  it('documents every option of every command', async () => {
    for (const command of COMMANDS) {
      const { code, out } = await trl(command.name, '--help');
      expect(code).toBe(0);
      for (const field of cliFields(command.schema)) {
        expect(OPTION_HELP[field.key], `help text for ${field.key}`).toBeDefined();
        expect(out).toContain(field.flag);
      }
      expect(out).toContain('--config <file>');
    }
    const top = await trl('--help');
    expect(top.out).toMatch(/sft[\s\S]*reward[\s\S]*ppo/);
  });
});

describe('trl sft', () => {
  it('merges a config file with flag overrides and prints the resolved config (dry run)', async () => {
    const configPath = join(dir, 'sft.json');
    await writeFile(
      configPath,
      JSON.stringify({ learningRate: 1e-3, maxSteps: 5, packing: true, reportTo: ['none'] }),
    );
    const { code, out } = await onTinyModel(
      'sft',
      '--config',
      configPath,
      '--dataset-path',
      'x.jsonl',
      '--max-steps',
      '7',
      '--packing',
      'false',
      '--dry-run',
    );
    expect(code).toBe(0);
    const resolved = JSON.parse(out);
    expect(resolved).toMatchObject({
      learningRate: 1e-3,
      maxSteps: 7,
      packing: false,
      reportTo: ['none'],
      datasetTextField: 'text',
      loggingSteps: 10,
    });
  });

  it('reads a flat YAML config with TRL snake_case keys', async () => {
    const configPath = join(dir, 'sft.yaml');
    await writeFile(
      configPath,
      `model_name_or_path: ${modelDir}\ndataset_path: x.jsonl\nlearning_rate: 1.0e-4\nreport_to: [none]\n`,
    );
    const { code, out } = await trl('sft', '--config', configPath, '--dry-run');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ learningRate: 1e-4, reportTo: ['none'], datasetPath: 'x.jsonl' });
  });

  it('names the bad field, flag and config key', async () => {
    const bad = await onTinyModel('sft', '--dataset-path', 'x.jsonl', '--learning-rate', 'fast');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/learningRate \(--learning-rate\): Invalid input: expected number/);
    const missing = await trl('sft', '--dataset-path', 'x.jsonl');
    expect(missing.err).toMatch(/modelNameOrPath \(--model-name-or-path\)/);
    const configPath = join(dir, 'typo.json');
    await writeFile(configPath, JSON.stringify({ learningrate: 1 }));
    const typo = await onTinyModel('sft', '--config', configPath, '--dataset-path', 'x');
    expect(typo.err).toMatch(
      /invalid config file .*typo\.json.*: learningrate: unknown option; did you mean learningRate\?/,
    );
    await writeFile(configPath, JSON.stringify({ num_train_epochs: 1 }));
    const snake = await onTinyModel('sft', '--config', configPath, '--dataset-path', 'x');
    expect(snake.code).toBe(1);
    expect(snake.err).toMatch(
      /num_train_epochs: unknown option: that is TRL's Python spelling; trl-ts spells it numTrainEpochs/,
    );
  });

  it('trains a tiny model and saves the resolved config, checkpoints and model', async () => {
    const outputDir = join(dir, 'sft-out');
    const run = await onTinyModel(
      'sft',
      '--dataset-path',
      join(dir, 'sft.jsonl'),
      '--eval-split',
      '1',
      '--output-dir',
      outputDir,
      '--max-steps',
      '4',
      '--per-device-train-batch-size',
      '2',
      '--learning-rate',
      '0.005',
      '--save-steps',
      '2',
      '--save-total-limit',
      '1',
      '--backend',
      'wasm',
      '--disable-tqdm',
    );
    const summary = expectSuccess(run);
    expect(summary.globalStep).toBe(4);
    expect(summary.eval_perplexity).toBeGreaterThan(1);
    const files = await readdir(outputDir);
    expect(files).toEqual(
      expect.arrayContaining(['trl_config.json', 'checkpoint-4', 'model.safetensors', 'logs.jsonl']),
    );
    expect(files).not.toContain('checkpoint-2');
    const saved = JSON.parse(await readFile(join(outputDir, 'trl_config.json'), 'utf8'));
    expect(saved).toMatchObject({ maxSteps: 4, learningRate: 0.005, evalSplit: 1 });
  });

  it('reports a malformed JSONL line and writes nothing; skips it on request', async () => {
    const outputDir = join(dir, 'broken-out');
    const failing = await onTinyModel(
      'sft',
      '--dataset-path',
      join(dir, 'broken.jsonl'),
      '--output-dir',
      outputDir,
      '--backend',
      'wasm',
    );
    expect(failing.code).toBe(1);
    expect(failing.err).toMatch(/broken\.jsonl:2: invalid JSON.*onBadRecord: 'skip'/);
    await expect(readdir(outputDir)).rejects.toThrow(/ENOENT/);
    const skipping = await onTinyModel(
      'sft',
      '--dataset-path',
      join(dir, 'broken.jsonl'),
      '--output-dir',
      outputDir,
      '--backend',
      'wasm',
      '--on-bad-record',
      'skip',
      '--max-steps',
      '1',
      '--disable-tqdm',
      '--report-to',
      'none',
      '--save-strategy',
      'no',
    );
    expect(skipping.err).toMatch(/warning: skipped line 2/);
    expect(skipping.code).toBe(0);
  });
});

describe('trl reward', () => {
  it('names the row and field of a bad pair and writes nothing', async () => {
    const outputDir = join(dir, 'reward-bad');
    await writeFile(join(dir, 'bad-pairs.jsonl'), '{"chosen": "a", "rejected": "b"}\n{"chosen": "c"}\n');
    const { code, err } = await onTinyModel(
      'reward',
      '--dataset-path',
      join(dir, 'bad-pairs.jsonl'),
      '--output-dir',
      outputDir,
      '--backend',
      'wasm',
    );
    expect(code).toBe(1);
    expect(err).toMatch(/row 1 has no "rejected" text or token ids/);
    await expect(readdir(outputDir)).rejects.toThrow(/ENOENT/);
  });

  it('trains a reward model from CSV pairs with LoRA', async () => {
    const outputDir = join(dir, 'reward-out');
    await mkdir(outputDir, { recursive: true });
    const run = await onTinyModel(
      'reward',
      '--dataset-path',
      join(dir, 'pairs.csv'),
      '--eval-dataset-path',
      join(dir, 'pairs.csv'),
      '--output-dir',
      outputDir,
      '--max-steps',
      '2',
      '--per-device-train-batch-size',
      '3',
      '--use-peft',
      '--lora-r',
      '2',
      '--lora-target-modules',
      'c_attn,c_fc',
      '--backend',
      'wasm',
      '--disable-tqdm',
      '--save-strategy',
      'no',
    );
    const summary = expectSuccess(run);
    expect(summary.eval_accuracy).toBeGreaterThanOrEqual(0);
    expect(await readdir(outputDir)).toEqual(
      expect.arrayContaining(['adapter_config.json', 'trl_config.json', 'model.safetensors']),
    );
    const adapter = JSON.parse(await readFile(join(outputDir, 'adapter_config.json'), 'utf8'));
    expect(adapter.r).toBe(2);
    expect(adapter.target_modules).toEqual(['c_attn', 'c_fc']);
  });
});

describe('trl dpo', () => {
  it('trains a causal LM on prompt/chosen/rejected rows against a frozen copy of itself', async () => {
    const outputDir = join(dir, 'dpo-out');
    const run = await onTinyModel(
      'dpo',
      '--dataset-path',
      join(dir, 'dpo.jsonl'),
      '--eval-dataset-path',
      join(dir, 'dpo.jsonl'),
      '--output-dir',
      outputDir,
      '--max-steps',
      '4',
      '--learning-rate',
      '0.003',
      '--beta',
      '0.2',
      '--backend',
      'wasm',
      '--disable-tqdm',
      '--save-strategy',
      'no',
    );
    const summary = expectSuccess(run);
    expect(summary['eval_rewards/margins']).toBeGreaterThan(0);
    expect(await readdir(outputDir)).toEqual(
      expect.arrayContaining(['trl_config.json', 'model.safetensors']),
    );
  });
});

describe('trl ppo', () => {
  it('runs PPO steps against a reward model, checkpoints, and resumes', async () => {
    const outputDir = join(dir, 'ppo-out');
    const common = [
      'ppo',
      '--model-name-or-path',
      modelDir,
      '--reward-model-path',
      modelDir,
      '--dataset-path',
      join(dir, 'prompts.jsonl'),
      '--output-dir',
      outputDir,
      '--batch-size',
      '2',
      '--mini-batch-size',
      '2',
      '--ppo-epochs',
      '1',
      '--learning-rate',
      '0.001',
      '--output-min-length',
      '2',
      '--output-max-length',
      '4',
      '--save-steps',
      '1',
      '--backend',
      'wasm',
      '--disable-tqdm',
    ];
    const first = await trl(...common, '--max-steps', '2');
    expect(expectSuccess(first)).toMatchObject({
      globalStep: 2,
      checkpoints: 2,
    });
    const logs = (await readFile(join(outputDir, 'logs.jsonl'), 'utf8')).trim().split('\n');
    expect(logs).toHaveLength(2);
    expect(JSON.parse(logs[0] as string)).toHaveProperty(['ppo/loss/total']);
    const resumed = await trl(...common, '--max-steps', '3', '--resume-from-checkpoint', 'true');
    expect(resumed.code).toBe(0);
    expect(summaryOf(resumed.out)).toMatchObject({
      globalStep: 3,
      checkpoints: 3,
    });
    const tooFew = await trl(...common, '--batch-size', '8');
    expect(tooFew.err).toMatch(/4 prompts but batchSize is 8/);
  });
});
