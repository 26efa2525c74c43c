import type { Metrics } from '@trl/spec';

/** A metric as a short human string: integers as is, others with 4 significant digits, `NaN`/`Infinity` spelled out. */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e6) return String(Number(value.toPrecision(4)));
  return value.toExponential(3);
}

/**
 * `name=value` pairs joined by spaces, in the order of `keys` when given (missing keys skipped),
 * otherwise in the metrics' own order.
 */
export function formatMetrics(metrics: Metrics, keys?: readonly string[]): string {
  const names = keys ?? Object.keys(metrics);
  return names
    .filter((name) => metrics[name] !== undefined)
    .map((name) => `${name}=${formatMetricValue(metrics[name] as number)}`)
    .join(' ');
}
