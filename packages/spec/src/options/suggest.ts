/** `mini_batch_size` → `miniBatchSize`; also maps kebab-case, since CLI users type flags that way. */
export function camelCase(key: string): string {
  return key.replace(/[-_]+([a-zA-Z0-9])/g, (_, next: string) => next.toUpperCase());
}

/** Folds case and separators so `learning_rate`, `learning-rate` and `LearningRate` compare equal. */
function normalise(key: string): string {
  return key.replace(/[-_]/g, '').toLowerCase();
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent swaps, which are the most common
 * typing slip). Keys are short, so the O(|a|·|b|) table is cheap.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table = new Uint32Array(rows * cols);
  for (let i = 0; i < rows; i++) table[i * cols] = i;
  for (let j = 0; j < cols; j++) table[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        table[(i - 1) * cols + j]! + 1,
        table[i * cols + j - 1]! + 1,
        table[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, table[(i - 2) * cols + j - 2]! + 1);
      }
      table[i * cols + j] = best;
    }
  }
  return table[rows * cols - 1]!;
}

/**
 * The known key `key` was most likely meant to be, or undefined when none is close. Close means
 * equal up to case and separators, or within about one edit per three characters (at most 3), so
 * short unrelated keys are not "corrected" into each other.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const target = normalise(key);
  const limit = Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
