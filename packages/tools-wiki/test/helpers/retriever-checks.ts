import { expect } from 'vitest';
import type { Retriever } from '../../src/index';
import { HOSTILE_QUERIES } from './corpus-files';

/** Each row's title, searched alone, ranks that row's article first. */
export async function expectFindsEveryTitle(
  retriever: Retriever,
  rows: readonly { title: string }[],
): Promise<void> {
  for (const row of rows) {
    const [top] = await retriever.search(row.title, 1);
    expect(top?.title).toBe(row.title);
  }
}

/** Every hostile query returns a list instead of throwing, and an empty query returns nothing. */
export async function expectHostileQueriesHarmless(retriever: Retriever): Promise<void> {
  for (const query of HOSTILE_QUERIES) {
    expect(Array.isArray(await retriever.search(query, 3))).toBe(true);
  }
  expect(await retriever.search('', 3)).toEqual([]);
}
