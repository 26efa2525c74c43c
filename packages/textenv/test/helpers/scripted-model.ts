import type {
  CausalLM,
  CausalLMInfo,
  CausalLMOutput,
  GenerationOptions,
  GenerationResult,
  NamedVariable,
  Tokenizer,
} from '@trl/spec';

/** Decides what a prompt's row will emit: text (encoded with the tokenizer) or exact token ids. */
export type Script = (promptText: string) => string | readonly number[];

/** Options of the scripted model. */
export interface ScriptedModelOptions {
  /** Encodes scripted text and decodes outputs for stop strings. */
  tokenizer: Tokenizer;
  /** What each prompt emits. */
  script: Script;
  /** Context size. Default 4096. */
  maxPositions?: number;
  /** When false the model ignores stop strings, as a model that over-generates would. Default true. */
  honorStopStrings?: boolean;
}

/** One recorded `generate` call. */
export interface GenerateCall {
  /** The prompts, as passed. */
  prompts: number[][];
  /** The options, as passed. */
  options: GenerationOptions;
}

function stopsOfRow(options: GenerationOptions, row: number): readonly string[] {
  const stops = options.stopStrings ?? [];
  if (stops.length > 0 && Array.isArray(stops[0]))
    return (stops as readonly (readonly string[])[])[row] ?? [];
  return stops as readonly string[];
}

function eosOf(options: GenerationOptions, info: CausalLMInfo): Set<number> {
  const ids = options.eosTokenId ?? info.eosTokenId;
  if (ids === undefined) return new Set();
  return new Set(typeof ids === 'number' ? [ids] : ids);
}

/**
 * A deterministic CausalLM test double: each row emits the tokens its script gives for the
 * decoded prompt, one by one, and stops as a real model does — on eos, when the decoded new text
 * ends with one of the row's stop strings, at `maxNewTokens`, or when the context is full.
 */
export class ScriptedModel implements CausalLM {
  readonly specificationVersion = 'v1' as const;
  readonly info: CausalLMInfo;
  /** Every generate call, in order. */
  readonly calls: GenerateCall[] = [];
  private readonly tokenizer: Tokenizer;
  private readonly script: Script;
  private readonly honorStopStrings: boolean;

  constructor(options: ScriptedModelOptions) {
    this.tokenizer = options.tokenizer;
    this.script = options.script;
    this.honorStopStrings = options.honorStopStrings ?? true;
    this.info = {
      modelType: 'scripted',
      vocabSize: options.tokenizer.vocabSize,
      maxPositions: options.maxPositions ?? 4096,
      hiddenSize: 1,
      eosTokenId: options.tokenizer.eosTokenId,
    };
  }

  async generate(
    prompts: readonly (readonly number[])[],
    options: GenerationOptions,
  ): Promise<GenerationResult[]> {
    this.calls.push({ prompts: prompts.map((prompt) => [...prompt]), options });
    const eos = eosOf(options, this.info);
    return prompts.map((prompt, row) => {
      const planned = this.script(this.tokenizer.decode(prompt));
      const ids = typeof planned === 'string' ? this.tokenizer.encode(planned) : planned;
      const out: number[] = [];
      const result = (finishReason: GenerationResult['finishReason'], stopString?: string) => ({
        tokenIds: out,
        logprobs: out.map(() => -1),
        finishReason,
        ...(stopString === undefined ? {} : { stopString }),
      });
      for (const id of ids) {
        if (out.length >= options.maxNewTokens || prompt.length + out.length >= this.info.maxPositions) {
          return result('length');
        }
        out.push(id);
        if (eos.has(id)) return result('eos');
        if (this.honorStopStrings) {
          const text = this.tokenizer.decode(out);
          const stop = stopsOfRow(options, row).find((candidate) => text.endsWith(candidate));
          if (stop !== undefined) return result('stop-string', stop);
        }
      }
      return result('length');
    });
  }

  forward(): CausalLMOutput {
    throw new Error('ScriptedModel.forward: not used in this test');
  }

  trainableVariables(): NamedVariable[] {
    throw new Error('ScriptedModel.trainableVariables: not used in this test');
  }

  async savePretrained(): Promise<void> {
    throw new Error('ScriptedModel.savePretrained: not used in this test');
  }

  dispose(): void {}
}

/**
 * A script that plays a conversation per task: the first key contained in the prompt picks the
 * task's list of turns, and the number of response markers already in the prompt picks the turn.
 * Past the list's end the row emits `fallback`.
 */
export function turnsByTask(
  turns: Readonly<Record<string, readonly string[]>>,
  responseMarker = '<response>',
  fallback = '<submit>',
): Script {
  return (promptText) => {
    const key = Object.keys(turns).find((candidate) => promptText.includes(candidate));
    if (key === undefined) throw new Error(`turnsByTask: no script for prompt ${JSON.stringify(promptText)}`);
    const turn = promptText.split(responseMarker).length - 1;
    return turns[key]![turn] ?? fallback;
  };
}
