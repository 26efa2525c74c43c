import type { Metrics } from '@trl/spec';
import type { EndReason, ToolCallStatus } from './history-types';

/** Counters for one tool over a `run`. */
export interface ToolStats {
  /** Calls made (every outcome). */
  calls: number;
  /** Calls that threw, rejected or returned a non-string. */
  errors: number;
  /** Calls that hit the timeout. */
  timeouts: number;
  /** Mean wall time per call in milliseconds (0 when there was no call). */
  meanLatencyMs: number;
}

/** What happened during one `run`. */
export interface TextEnvironmentStats {
  /** Per configured tool, including tools that were never called. */
  tools: Record<string, ToolStats>;
  /** Calls to tools the environment does not have, per name the model wrote. */
  unknownTools: Record<string, number>;
  /** Turns that held request and call markers but no parsable `<ToolName>`. */
  unparsableCalls: number;
  /** Model turns played (the longest episode's turn count). */
  turns: number;
  /** How many episodes ended for each reason. */
  endReasons: Record<EndReason, number>;
  /** Episodes cut at the length limit. */
  truncated: number;
  /** Mean number of response tokens the model wrote per episode. */
  meanModelTokens: number;
  /** Mean number of response tokens that came from tools per episode. */
  meanSystemTokens: number;
}

/** Accumulates tool-call outcomes; `snapshot` turns them into `TextEnvironmentStats.tools`. */
export class ToolStatsCollector {
  private readonly perTool = new Map<
    string,
    { calls: number; errors: number; timeouts: number; ms: number }
  >();
  /** Unknown tool names and their call counts. */
  readonly unknownTools: Record<string, number> = {};
  /** Count of unparsable calls. */
  unparsableCalls = 0;

  /** @param toolNames - the configured tools, listed in the stats even when never called. */
  constructor(toolNames: readonly string[]) {
    for (const name of toolNames) this.perTool.set(name, { calls: 0, errors: 0, timeouts: 0, ms: 0 });
  }

  /** Records one call's outcome. */
  record(tool: string | undefined, status: ToolCallStatus, latencyMs: number): void {
    if (status === 'unparsable') {
      this.unparsableCalls += 1;
      return;
    }
    if (status === 'unknown-tool') {
      const name = tool ?? '';
      this.unknownTools[name] = (this.unknownTools[name] ?? 0) + 1;
      return;
    }
    const entry = this.perTool.get(tool ?? '');
    if (!entry) return;
    entry.calls += 1;
    entry.ms += latencyMs;
    if (status === 'error') entry.errors += 1;
    if (status === 'timeout') entry.timeouts += 1;
  }

  /** Per-tool counters with the mean latency computed. */
  snapshot(): Record<string, ToolStats> {
    const out: Record<string, ToolStats> = {};
    for (const [name, entry] of this.perTool) {
      out[name] = {
        calls: entry.calls,
        errors: entry.errors,
        timeouts: entry.timeouts,
        meanLatencyMs: entry.calls === 0 ? 0 : entry.ms / entry.calls,
      };
    }
    return out;
  }
}

/**
 * Flattens stats into tracker metrics under `env/` (e.g. `env/tools/Calculator/errors`,
 * `env/end/submit`), ready for a `Tracker.log` call next to PPO's metrics.
 */
export function statsToMetrics(stats: TextEnvironmentStats): Metrics {
  const metrics: Metrics = {
    'env/turns': stats.turns,
    'env/truncated': stats.truncated,
    'env/unparsable_calls': stats.unparsableCalls,
    'env/mean_model_tokens': stats.meanModelTokens,
    'env/mean_system_tokens': stats.meanSystemTokens,
  };
  for (const [reason, count] of Object.entries(stats.endReasons)) metrics[`env/end/${reason}`] = count;
  for (const [name, tool] of Object.entries(stats.tools)) {
    metrics[`env/tools/${name}/calls`] = tool.calls;
    metrics[`env/tools/${name}/errors`] = tool.errors;
    metrics[`env/tools/${name}/timeouts`] = tool.timeouts;
    metrics[`env/tools/${name}/mean_latency_ms`] = tool.meanLatencyMs;
  }
  let unknown = 0;
  for (const count of Object.values(stats.unknownTools)) unknown += count;
  metrics['env/unknown_tool_calls'] = unknown;
  return metrics;
}
