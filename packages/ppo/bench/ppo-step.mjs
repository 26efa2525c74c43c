#!/usr/bin/env node
// PPO-step benchmark: the TypeScript side of the `ppo` mode of /work/shared/bench/torch/gpt2_bench.py, run
// through @trl/ppo's real PPOTrainer.step on a GPT-2 with value head from @trl/models.
//
//   node bench/ppo-step.mjs --config tiny small [--steps 5] [--warmup 2] [--native [--native-threads 1|2]]
//                           [--profile] [--query-len 16]
//
// As the comparator: a fixed batch of `batch` rows of `seq` random ids, the first 16 the query and
// the rest the response, one N(0,1) score per row; per step the policy and a frozen full-copy
// reference run forward without gradients, the KL-penalised per-token rewards (kl coef 0.2 fixed),
// GAE (gamma 1, lambda 0.95) and whitened advantages follow, then one epoch of one minibatch (the
// whole batch) of the clipped policy + value loss (clip 0.2/0.2, vf coef 0.1), backward and AdamW
// (lr 1e-4, betas 0.9/0.95, weight decay 0.01). FLOPs per token 10*N + 20*L*d*T, as the comparator.
// Our step also does what TRL's does and the comparator skips: the entropy and the other stats, and
// reading rollout results back to JavaScript. Same JSON fields as the comparator plus memory fields;
// flags and fields are those of ../models/bench/gpt2.mjs (see ../models/bench/README.md).
// Needs the built packages (`pnpm build`): it imports @trl/ppo, @trl/models and @trl/core from dist.
import { AdamW, Rng, SPECIFICATION_VERSION } from '@trl/core';
import { createReferenceModel, Gpt2WithValueHead } from '@trl/models';
import { PPOTrainer } from '@trl/ppo';
import {
  COMPARATOR_ADAMW,
  configFor,
  createModel,
  parseArgs,
  randomIds,
  runMode,
  setup,
  timedSteps,
} from '../../models/bench/harness.mjs';

/** PPOTrainer only reads the pad and eos ids from its tokenizer; the bench never decodes. */
function idsOnlyTokenizer(vocabSize) {
  const unused = () => {
    throw new Error('the PPO bench tokenizer only supplies pad/eos ids');
  };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    vocabSize,
    eosTokenId: undefined,
    bosTokenId: undefined,
    padTokenId: 0,
    paddingSide: 'right',
    specialTokenIds: new Set(),
    encode: unused,
    decode: unused,
    encodeBatch: unused,
    decodeBatch: unused,
    tokenToId: () => undefined,
  };
}

async function benchPpo(cfg, args) {
  const policy = new Gpt2WithValueHead(createModel(cfg, args.seed), {
    summaryDropoutProb: 0,
    seed: args.seed,
  });
  const reference = createReferenceModel(policy);
  const optimizer = new AdamW(policy.trainableVariables(), COMPARATOR_ADAMW);
  const trainer = new PPOTrainer({
    config: {
      batchSize: cfg.batch,
      miniBatchSize: cfg.batch,
      ppoEpochs: 1,
      adapKlCtrl: false,
      initKlCoef: 0.2,
      klPenalty: 'kl',
      gamma: 1,
      lam: 0.95,
      cliprange: 0.2,
      cliprangeValue: 0.2,
      vfCoef: 0.1,
      seed: args.seed,
    },
    model: policy,
    refModel: reference,
    tokenizer: idsOnlyTokenizer(cfg.vocab),
    optimizer,
  });
  const queryLen = args.queryLen;
  const responseLen = cfg.seq - queryLen;
  const rng = new Rng(args.seed);
  const ids = randomIds(rng, cfg.batch, cfg.seq, cfg.vocab);
  const queries = ids.map((row) => row.slice(0, queryLen));
  const responses = ids.map((row) => row.slice(queryLen));
  const scores = ids.map(() => rng.normal());
  let stats;
  const step = async () => {
    stats = await trainer.step(queries, responses, scores);
    if (stats['ppo/skipped_batches'] > 0) throw new Error('the PPO minibatch was skipped');
  };
  const timing = await timedSteps(step, args);
  const size = (variables) => variables.reduce((sum, p) => sum + p.variable.size, 0);
  const total = size(policy.trainableVariables());
  const matmul = total - policy.backbone.weights.wpe.size;
  const refParams = reference.namedWeights().reduce((sum, w) => sum + w.variable.size, 0);
  const tokens = cfg.batch * cfg.seq;
  const flopsPerToken = 10 * matmul + 20 * cfg.n_layer * cfg.n_embd * cfg.seq;
  trainer.dispose();
  optimizer.dispose();
  reference.dispose();
  policy.dispose();
  return {
    ...timing,
    tokens,
    flops: flopsPerToken * tokens,
    params: total,
    batch: cfg.batch,
    extra: {
      query_len: queryLen,
      response_len: responseLen,
      loss_last: stats['ppo/loss/total'],
      ref_params: refParams,
      driver: 'PPOTrainer.step',
    },
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { modes: ['ppo'], usage: 'bench/ppo-step.mjs' });
  const env = await setup(args);
  for (const name of args.config) {
    await runMode({ mode: 'ppo', name, cfg: configFor(name, args), args, env, bench: benchPpo });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
