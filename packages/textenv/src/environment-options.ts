import {
  type CausalLM,
  type GenerationOptions,
  parseOptions,
  type RewardFunction,
  type Tokenizer,
  type Tool,
  TrlError,
} from '@trl/spec';
import { z } from 'zod';
import { type ToolSyntax, toolSyntaxSchema } from './syntax';
import type { TextHistory } from './text-history';

/** Constructor options of `TextEnvironment`; defaults follow TRL v0.7 where TRL has one. */
export interface TextEnvironmentOptions<Kwargs = Record<string, unknown>> {
  /** The policy that plays the episodes. */
  model: CausalLM;
  /** Tokenizer of the model: encodes prompts and tool answers, decodes model turns. */
  tokenizer: Tokenizer;
  /** The tools, as a list (named by `tool.name`) or a record (named by key, as TRL's dict). */
  tools: readonly Tool[] | Readonly<Record<string, Tool>>;
  /** Scores the finished histories, one number each; may be async. */
  rewardFn: RewardFunction<TextHistory, Kwargs>;
  /** Text put before every task (tool descriptions, few-shot examples). Default `''`. */
  prompt?: string;
  /** Most model turns per episode. Default 4. */
  maxTurns?: number;
  /**
   * Most characters of a tool answer shown to the model; longer ones end in `...`. Default 100, at
   * least 3. Only the first max(4096, 8 × maxToolResponse) UTF-16 units of an answer are read, so a
   * huge answer costs no more than a short one.
   */
  maxToolResponse?: number;
  /** Most tokens per history (query included); default and upper bound: the model's context size. */
  maxLength?: number;
  /** Generation settings for each model turn; the environment adds the stop strings and tokenizer. Default `{ maxNewTokens: 32 }`. */
  generation?: GenerationOptions;
  /** Most histories per `generate` call. Default 16 (TRL's). */
  batchSize?: number;
  /** Protocol markers; missing ones take TRL's `<request>`, `<call>`, `<response>`, `<submit>`. */
  syntax?: Partial<ToolSyntax>;
  /** Milliseconds a tool call may take before it is aborted and reported as a timeout. Default 10000. */
  toolTimeoutMs?: number;
}

/** Options after validation, defaults filled in and tools keyed by name. */
export interface ResolvedTextEnvironmentOptions<Kwargs> {
  /** See `TextEnvironmentOptions.model`. */
  model: CausalLM;
  /** See `TextEnvironmentOptions.tokenizer`. */
  tokenizer: Tokenizer;
  /** Tools by the name the model writes. */
  tools: ReadonlyMap<string, Tool>;
  /** See `TextEnvironmentOptions.rewardFn`. */
  rewardFn: RewardFunction<TextHistory, Kwargs>;
  /** See `TextEnvironmentOptions.prompt`. */
  prompt: string;
  /** See `TextEnvironmentOptions.maxTurns`. */
  maxTurns: number;
  /** See `TextEnvironmentOptions.maxToolResponse`. */
  maxToolResponse: number;
  /** The effective token limit: `min(maxLength, model.info.maxPositions)`. */
  maxLength: number;
  /** See `TextEnvironmentOptions.generation`. */
  generation: GenerationOptions;
  /** See `TextEnvironmentOptions.batchSize`. */
  batchSize: number;
  /** The complete syntax. */
  syntax: ToolSyntax;
  /** See `TextEnvironmentOptions.toolTimeoutMs`. */
  toolTimeoutMs: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const hasMethods = (value: unknown, ...methods: string[]): value is Record<string, unknown> =>
  isObject(value) && methods.every((method) => typeof value[method] === 'function');

const TOOL_NAME = /^[^\s<>]+$/;

const generationSchema = z.looseObject({
  maxNewTokens: z
    .number({ error: 'is required: a positive integer (tokens per model turn)' })
    .int('must be a positive integer (tokens per model turn)')
    .positive('must be a positive integer (tokens per model turn)'),
  stopStrings: z
    .array(
      z
        .string({ error: 'must be a string: give one flat list, the environment sets stop strings per row' })
        .min(1),
    )
    .optional(),
});

/** TRL TextEnvironment arguments spelt differently here, so a port gets the new name. */
const TEXT_ENVIRONMENT_HINTS = {
  rewardFunction: 'trl-ts calls it rewardFn',
  generationKwargs: 'trl-ts calls it generation (e.g. generation: { maxNewTokens: 32 })',
  maxToolReponse: 'TRL misspells it max_tool_reponse; trl-ts spells it maxToolResponse',
} as const;

const optionsSchema = z.object({
  model: z.custom<CausalLM>((value) => hasMethods(value, 'generate') && isObject(value.info), {
    error: 'must implement the CausalLM spec (generate() and info)',
  }),
  tokenizer: z.custom<Tokenizer>((value) => hasMethods(value, 'encode', 'decode'), {
    error: 'must implement the Tokenizer spec (encode() and decode())',
  }),
  tools: z.custom<TextEnvironmentOptions['tools']>((value) => isObject(value), {
    error: 'must be a list of tools or a record of tools by name',
  }),
  rewardFn: z.custom<RewardFunction<TextHistory, unknown>>((value) => typeof value === 'function', {
    error: 'must be a function (histories, kwargs) => number[] | Promise<number[]>',
  }),
  prompt: z.string({ error: 'must be a string' }).default(''),
  maxTurns: z.number().int().positive('must be a positive integer').default(4),
  maxToolResponse: z.number().int().min(3, 'must be an integer of at least 3 (room for "...")').default(100),
  maxLength: z.number().int().positive('must be a positive integer (tokens)').optional(),
  generation: generationSchema.default({ maxNewTokens: 32 }),
  batchSize: z.number().int().positive('must be a positive integer').default(16),
  syntax: toolSyntaxSchema.default(toolSyntaxSchema.parse({})),
  toolTimeoutMs: z.number().positive('must be a positive number of milliseconds').default(10_000),
});

function toolsByName(tools: TextEnvironmentOptions['tools']): Map<string, Tool> {
  const entries: [string, unknown][] = Array.isArray(tools)
    ? tools.map((tool: unknown, index) => [isObject(tool) ? String(tool.name) : `#${index}`, tool])
    : Object.entries(tools);
  const byName = new Map<string, Tool>();
  for (const [name, tool] of entries) {
    if (!hasMethods(tool, 'call')) {
      throw new TrlError(
        'invalid-argument',
        `TextEnvironment: tools.${name} must implement the Tool spec (a call(input, options) method).`,
      );
    }
    if (!TOOL_NAME.test(name)) {
      throw new TrlError(
        'invalid-argument',
        `TextEnvironment: tool name ${JSON.stringify(name)} must be non-empty without whitespace or '<' '>'.`,
      );
    }
    if (byName.has(name))
      throw new TrlError(
        'invalid-argument',
        `TextEnvironment: two tools are named ${name}; names must be unique.`,
      );
    byName.set(name, tool as unknown as Tool);
  }
  return byName;
}

/** Validates constructor options; throws a TrlConfigError naming the field and the fix (unknown keys included). */
export function resolveTextEnvironmentOptions<Kwargs>(
  options: TextEnvironmentOptions<Kwargs>,
): ResolvedTextEnvironmentOptions<Kwargs> {
  if (!isObject(options)) throw new TypeError('TextEnvironment: options must be an object.');
  const value = parseOptions('TextEnvironment', optionsSchema, options, { hints: TEXT_ENVIRONMENT_HINTS });
  const contextSize = options.model.info.maxPositions;
  return {
    model: options.model,
    tokenizer: options.tokenizer,
    tools: toolsByName(options.tools),
    rewardFn: options.rewardFn,
    prompt: value.prompt,
    maxTurns: value.maxTurns,
    maxToolResponse: value.maxToolResponse,
    maxLength: Math.min(value.maxLength ?? Number.POSITIVE_INFINITY, contextSize ?? Number.POSITIVE_INFINITY),
    generation: { ...(options.generation ?? {}), maxNewTokens: value.generation.maxNewTokens },
    batchSize: value.batchSize,
    syntax: value.syntax,
    toolTimeoutMs: value.toolTimeoutMs,
  };
}
