import {
  type CausalLM,
  type GenerationOptions,
  type GenerationResult,
  type Tokenizer,
  TrlError,
} from '@trl/spec';
import { cutAtFirstStop } from './cut-at-first-stop';
import type { ToolSyntax } from './syntax';
import type { TextHistory } from './text-history';

/** What a round of model turns needs from the environment. */
export interface ModelTurnContext {
  /** The policy. */
  model: CausalLM;
  /** Decodes model turns; passed to `generate` for stop strings. */
  tokenizer: Tokenizer;
  /** The user's generation options. */
  generation: GenerationOptions;
  /** Most histories per `generate` call. */
  batchSize: number;
  /** Token limit per history. */
  maxLength: number;
  /** Protocol markers. */
  syntax: ToolSyntax;
  /** Every id that counts as end-of-sequence. */
  eosIds: ReadonlySet<number>;
  /** Seed for the next `generate` call (undefined: unseeded). */
  nextSeed: () => number | undefined;
}

/** The stop strings of every row: call and submit markers, then the user's own. */
function rowStopStrings(context: ModelTurnContext): string[] {
  return [
    context.syntax.call,
    context.syntax.submit,
    ...((context.generation.stopStrings ?? []) as string[]),
  ];
}

/**
 * Applies TRL's end-of-turn rules to a model turn just appended: eos in the model's tokens ends the
 * episode (eos inside the prompt does not count), so does a submit, and so does a turn holding
 * neither a submit nor a request…call pair — unless the turn filled the length limit, which makes
 * it a cut (`max-length`). Otherwise the history waits for its tool answer.
 */
function endModelTurn(history: TextHistory, result: GenerationResult, context: ModelTurnContext): void {
  const text = history.lastTextSegment;
  const { syntax } = context;
  if (result.finishReason === 'eos' || history.lastTokenSegment.some((id) => context.eosIds.has(id))) {
    history.complete('eos');
  } else if (text.includes(syntax.submit)) {
    history.complete('submit');
  } else if (!(text.includes(syntax.request) && text.includes(syntax.call))) {
    history.complete(history.tokens.length >= context.maxLength ? 'max-length' : 'no-call');
  }
}

function appendModelTurn(history: TextHistory, result: GenerationResult, context: ModelTurnContext): void {
  const room = context.maxLength - history.tokens.length;
  let tokens = cutAtFirstStop(result.tokenIds, rowStopStrings(context), context.eosIds, context.tokenizer);
  const overLimit = tokens.length > room;
  if (overLimit) tokens = tokens.slice(0, room);
  if (tokens.length === 0) {
    history.complete('no-call');
    return;
  }
  history.appendSegment(context.tokenizer.decode(tokens), tokens, false);
  if (overLimit) history.complete('max-length');
  else endModelTurn(history, result, context);
}

/**
 * Plays one model turn for every given (running) history: batched `generate` calls over these
 * histories only, each row with its own stop strings, and the sampled tokens appended as they are.
 * Histories already at the length limit end as `max-length` without generating.
 */
export async function playModelTurns(
  histories: readonly TextHistory[],
  context: ModelTurnContext,
): Promise<void> {
  const playable: TextHistory[] = [];
  for (const history of histories) {
    if (history.tokens.length >= context.maxLength) history.complete('max-length');
    else playable.push(history);
  }
  const stopStrings = rowStopStrings(context);
  for (let start = 0; start < playable.length; start += context.batchSize) {
    const batch = playable.slice(start, start + context.batchSize);
    const largestRoom = Math.max(...batch.map((history) => context.maxLength - history.tokens.length));
    const seed = context.nextSeed();
    const maxNewTokens = Math.min(context.generation.maxNewTokens, largestRoom);
    const { minNewTokens } = context.generation;
    const options: GenerationOptions = {
      ...context.generation,
      maxNewTokens,
      // Near the length limit there may be less room than minNewTokens asks for.
      ...(minNewTokens === undefined ? {} : { minNewTokens: Math.min(minNewTokens, maxNewTokens) }),
      stopStrings: batch.map(() => stopStrings),
      tokenizer: context.tokenizer,
      ...(seed === undefined ? {} : { seed }),
    };
    const results = await context.model.generate(
      batch.map((history) => [...history.tokens]),
      options,
    );
    if (!Array.isArray(results) || results.length !== batch.length) {
      throw new TrlError(
        'invalid-argument',
        `TextEnvironment: model.generate returned ${Array.isArray(results) ? results.length : typeof results} ` +
          `results for ${batch.length} prompts; a CausalLM must return one result per prompt.`,
      );
    }
    for (const [row, history] of batch.entries()) appendModelTurn(history, results[row]!, context);
  }
}
