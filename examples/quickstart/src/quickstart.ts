// The smallest real end-to-end run of trl-ts: load a GPT-2 checkpoint in Hugging Face layout, check
// its greedy output against ids computed by PyTorch, then fine-tune it for a few steps on one
// sentence and watch the loss fall and the greedy continuation change.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AdamW, type BackendPreference, type CausalLM, crossEntropy, initBackend, tf } from '@trl/core';
import { AutoModelForCausalLM, createByteLevelTokenizer } from '@trl/models';

const MODEL_DIR = fileURLToPath(new URL('../model', import.meta.url));
const SENTENCE = 'trl-ts trains language models in TypeScript. ';

/** The parts of `model/expected.json` (written by the PyTorch reference) this run compares against. */
interface PyTorchReference {
  /** Prompt ids, one row per prompt. */
  greedy_prompt: number[][];
  /** Prompt + 8 greedy tokens, per prompt. */
  greedy_ids: number[][];
}

/** What {@link runQuickstart} takes; every field has a default. */
export interface QuickstartOptions {
  /** Fine-tuning steps (default 60). */
  steps?: number;
  /** AdamW learning rate (default 3e-3). */
  learningRate?: number;
  /** Backend to start (default `auto`). */
  backend?: BackendPreference;
  /** Receives one line per event (default `console.log`). */
  log?: (line: string) => void;
}

/** What {@link runQuickstart} measured. */
export interface QuickstartResult {
  backend: string;
  /** The greedy ids equal the PyTorch reference's. */
  greedyMatches: boolean;
  lossBefore: number;
  lossAfter: number;
  textBefore: string;
  textAfter: string;
}

/** Mean next-token cross-entropy of `ids` (one row) under the model. */
function lossOf(model: CausalLM, ids: readonly number[], training: boolean): tf.Scalar {
  const inputIds = tf.tensor2d([ids.slice(0, -1)], undefined, 'int32');
  const labels = tf.tensor2d([ids.slice(1)], undefined, 'int32');
  const { logits } = model.forward({ inputIds, training });
  // crossEntropy averages over every position, so the tensor is a scalar; its signature says Tensor.
  return crossEntropy(logits, labels) as tf.Scalar;
}

/** Runs the quickstart. `log` receives one line per event; returns what was measured. */
export async function runQuickstart({
  steps = 60,
  learningRate = 3e-3,
  backend = 'auto',
  log = console.log,
}: QuickstartOptions = {}): Promise<QuickstartResult> {
  const engine = await initBackend(backend);
  log(`backend: ${engine.name}`);

  const expected: PyTorchReference = JSON.parse(await readFile(`${MODEL_DIR}/expected.json`, 'utf8'));
  const model = await AutoModelForCausalLM.fromPretrained(MODEL_DIR);
  log(`loaded GPT-2: ${model.info.vocabSize} tokens, context ${model.info.maxPositions}`);

  const greedy = await model.generate(expected.greedy_prompt, { maxNewTokens: 8, doSample: false });
  const greedyMatches = greedy.every((row, i) => {
    const promptLength = expected.greedy_prompt[i]?.length ?? 0;
    const want = expected.greedy_ids[i]?.slice(promptLength);
    return JSON.stringify(row.tokenIds) === JSON.stringify(want);
  });
  log(`greedy ids ${greedyMatches ? 'match' : 'DO NOT match'} the PyTorch reference`);

  // A byte-level tokenizer: 256 byte tokens + <|endoftext|> fits the checkpoint's 512-token vocabulary.
  const tokenizer = createByteLevelTokenizer();
  // The checkpoint's context is 64 tokens: one pass over the sentence and a bit of the next fits.
  const ids = tokenizer.encode(SENTENCE.repeat(2)).slice(0, model.info.maxPositions);
  const prompt = tokenizer.encode('trl-ts ');
  const continuation = async () => {
    const [row] = await model.generate([prompt], { maxNewTokens: 40, doSample: false });
    if (row === undefined) throw new Error('quickstart: generate returned no row for the one prompt.');
    return tokenizer.decode(row.tokenIds);
  };
  const textBefore = await continuation();
  log(`before fine-tuning: "trl-ts ${JSON.stringify(textBefore).slice(1, -1)}"`);

  const params = model.trainableVariables();
  const optimizer = new AdamW(params, { learningRate, weightDecay: 0 });
  const lossBefore = tf.tidy(() => lossOf(model, ids, false).dataSync()[0] ?? Number.NaN);
  let lossAfter = lossBefore;
  for (let step = 1; step <= steps; step++) {
    const { value, grads } = tf.variableGrads(
      () => lossOf(model, ids, true),
      params.map((p) => p.variable),
    );
    optimizer.step(grads);
    lossAfter = value.dataSync()[0] ?? Number.NaN;
    value.dispose(); // the optimizer disposes the gradients
    if (step % 10 === 0 || step === 1) log(`step ${step}/${steps} loss=${lossAfter.toFixed(4)}`);
  }
  const textAfter = await continuation();
  log(`after fine-tuning:  "trl-ts ${JSON.stringify(textAfter).slice(1, -1)}"`);

  optimizer.dispose();
  model.dispose();
  return { backend: engine.name, greedyMatches, lossBefore, lossAfter, textBefore, textAfter };
}
