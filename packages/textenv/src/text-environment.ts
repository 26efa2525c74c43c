import { TrlError } from '@trl/spec';
import {
  type ResolvedTextEnvironmentOptions,
  resolveTextEnvironmentOptions,
  type TextEnvironmentOptions,
} from './environment-options';
import type { EndReason } from './history-types';
import { playModelTurns } from './model-turns';
import { syntaxMarkers } from './syntax';
import { TextHistory } from './text-history';
import { type TextEnvironmentStats, ToolStatsCollector } from './tool-stats';
import { answerToolCall } from './tool-turns';

/** What `run` returns: PPO's inputs (`number[][]` token ids, see `toInt32Tensors`) and the histories. */
export interface TextEnvironmentResult {
  /** Per history: the prompt + task tokens. */
  queries: number[][];
  /** Per history: every token after the query (model turns and tool answers). */
  responses: number[][];
  /** Per history, aligned with `responses`: 1 for model tokens, 0 for tool/system tokens. */
  masks: number[][];
  /** Per history: the reward function's score. */
  rewards: number[];
  /** The full histories, in task order. */
  histories: TextHistory[];
  /** Tool and episode counters of this run. */
  stats: TextEnvironmentStats;
}

const END_REASONS: readonly EndReason[] = ['submit', 'eos', 'no-call', 'max-turns', 'max-length'];

/**
 * Plays tool-using episodes as TRL v0.7's TextEnvironment: the model writes
 * `<request><ToolName>query<call>`, the tool's answer plus `<response>` is appended as system text,
 * and the model continues until `<submit>`, eos, a turn without a call, `maxTurns` or the length
 * limit. Generation is batched over the running histories only, tool calls of a turn run
 * concurrently with a timeout, and every token the model sampled is kept exactly.
 */
export class TextEnvironment<Kwargs = Record<string, unknown>> {
  /** The validated options with defaults filled in. */
  readonly options: ResolvedTextEnvironmentOptions<Kwargs>;

  /** Throws an Error naming the option when one is invalid. */
  constructor(options: TextEnvironmentOptions<Kwargs>) {
    this.options = resolveTextEnvironmentOptions(options);
  }

  /**
   * Runs one episode per task and scores them.
   * @param tasks - task texts, appended to the prompt. An empty list returns an empty result
   *   without calling the model or the reward function.
   * @param rewardKwargs - passed to the reward function as its second argument (default `{}`).
   */
  async run(tasks: readonly string[], rewardKwargs?: Kwargs): Promise<TextEnvironmentResult> {
    const histories = this.startHistories(tasks);
    const { options } = this;
    const toolStats = new ToolStatsCollector([...options.tools.keys()]);
    if (histories.length === 0) return this.assemble(histories, [], toolStats, 0);

    const modelContext = {
      ...options,
      eosIds: this.eosIds(),
      nextSeed: this.seedSequence(),
    };
    const toolContext = {
      ...options,
      forbiddenMarkers: this.forbiddenMarkers(),
      stats: toolStats,
    };
    let turns = 0;
    while (turns < options.maxTurns) {
      const running = histories.filter((history) => !history.completed);
      if (running.length === 0) break;
      await playModelTurns(running, modelContext);
      const calling = running.filter((history) => !history.completed);
      await Promise.all(calling.map((history) => answerToolCall(history, turns, toolContext)));
      turns += 1;
    }
    for (const history of histories) if (!history.completed) history.complete('max-turns');

    const rewards = await this.score(histories, rewardKwargs ?? ({} as Kwargs));
    return this.assemble(histories, rewards, toolStats, turns);
  }

  private startHistories(tasks: readonly string[]): TextHistory[] {
    if (!Array.isArray(tasks)) {
      throw new TypeError(`TextEnvironment.run: tasks must be an array of strings, got ${typeof tasks}.`);
    }
    const { prompt, tokenizer, maxLength } = this.options;
    return tasks.map((task: unknown, index) => {
      if (typeof task !== 'string') {
        throw new TypeError(
          `TextEnvironment.run: tasks[${index}] must be a string, got ${task === null ? 'null' : typeof task}.`,
        );
      }
      const query = prompt + task;
      const tokens = tokenizer.encode(query);
      if (tokens.length === 0) {
        throw new TrlError(
          'invalid-dataset',
          `TextEnvironment.run: tasks[${index}]: prompt + task encodes to no tokens; give a non-empty task.`,
        );
      }
      if (tokens.length >= maxLength) {
        throw new TrlError(
          'invalid-dataset',
          `TextEnvironment.run: tasks[${index}]: prompt + task is ${tokens.length} tokens, leaving no room under ` +
            `the length limit of ${maxLength} (maxLength or the model's context); shorten the prompt or raise maxLength.`,
        );
      }
      return new TextHistory(query, tokens, true);
    });
  }

  private eosIds(): Set<number> {
    const { tokenizer, model, generation } = this.options;
    const ids = new Set<number>();
    const add = (id: number | undefined) => {
      if (id !== undefined) ids.add(id);
    };
    add(tokenizer.eosTokenId);
    add(model.info.eosTokenId);
    const fromGeneration = generation.eosTokenId;
    if (typeof fromGeneration === 'number') add(fromGeneration);
    else for (const id of fromGeneration ?? []) add(id);
    return ids;
  }

  /** A fixed `generation.seed` would repeat the same samples every turn; step it per generate call. */
  private seedSequence(): () => number | undefined {
    const base = this.options.generation.seed;
    let calls = 0;
    return () => (base === undefined ? undefined : base + calls++);
  }

  /** Syntax markers and special-token texts (eos, pad, …): tool answers must not carry them. */
  private forbiddenMarkers(): string[] {
    const { tokenizer, syntax } = this.options;
    const specialIds = new Set(tokenizer.specialTokenIds ?? []);
    if (tokenizer.eosTokenId !== undefined) specialIds.add(tokenizer.eosTokenId);
    const specialTexts = [...specialIds]
      .map((id) => tokenizer.decode([id]))
      .filter((text) => text.length > 0);
    return [...syntaxMarkers(syntax), ...specialTexts];
  }

  private async score(histories: TextHistory[], kwargs: Kwargs): Promise<number[]> {
    const rewards: unknown = await this.options.rewardFn(histories, kwargs);
    if (!Array.isArray(rewards) || rewards.length !== histories.length) {
      const got = Array.isArray(rewards) ? `${rewards.length} values` : typeof rewards;
      throw new TrlError(
        'invalid-argument',
        `TextEnvironment: rewardFn must return one number per history (${histories.length}), got ${got}.`,
      );
    }
    rewards.forEach((reward: unknown, index) => {
      if (typeof reward !== 'number' || !Number.isFinite(reward)) {
        throw new TrlError(
          'invalid-argument',
          `TextEnvironment: rewardFn returned ${String(reward)} for history ${index}; rewards must be finite numbers.`,
        );
      }
      histories[index]!.reward = reward;
    });
    return rewards as number[];
  }

  private assemble(
    histories: TextHistory[],
    rewards: number[],
    toolStats: ToolStatsCollector,
    turns: number,
  ): TextEnvironmentResult {
    const splits = histories.map((history) => history.splitQueryResponseTokens());
    const endReasons = Object.fromEntries(END_REASONS.map((reason) => [reason, 0])) as Record<
      EndReason,
      number
    >;
    let modelTokens = 0;
    let systemTokens = 0;
    for (const [index, history] of histories.entries()) {
      if (history.endReason) endReasons[history.endReason] += 1;
      for (const bit of splits[index]!.mask) {
        if (bit === 1) modelTokens += 1;
        else systemTokens += 1;
      }
    }
    const count = Math.max(1, histories.length);
    return {
      queries: splits.map((split) => split.query),
      responses: splits.map((split) => split.response),
      masks: splits.map((split) => split.mask),
      rewards,
      histories,
      stats: {
        tools: toolStats.snapshot(),
        unknownTools: { ...toolStats.unknownTools },
        unparsableCalls: toolStats.unparsableCalls,
        turns,
        endReasons,
        truncated: histories.filter((history) => history.truncated).length,
        meanModelTokens: modelTokens / count,
        meanSystemTokens: systemTokens / count,
      },
    };
  }
}
