import { describe, expect, it } from 'vitest';
import {
  formatPassages,
  MiniSearchRetriever,
  type Passage,
  type Retriever,
  truncate,
  WikiSearch,
} from '../src/index';
import { HOSTILE_QUERIES } from './helpers/corpus-files';

const signal = new AbortController().signal;

const retriever = () =>
  MiniSearchRetriever.fromPassages([
    {
      id: 'r#0',
      articleId: 'r',
      title: 'Zorvath Kell',
      text: 'Zorvath Kell is a river. Its length is 312 km.',
    },
    { id: 'r#1', articleId: 'r', title: 'Zorvath Kell', text: 'The river is known for its silver trout.' },
    { id: 'm#0', articleId: 'm', title: 'Mount Brae', text: 'Mount Brae is 4000 metres high.' },
  ]);

describe('WikiSearch', () => {
  it('answers with "Title\\nparagraph" of the best passage by default', async () => {
    const tool = new WikiSearch({ retriever: retriever() });
    expect(tool.name).toBe('Wiki');
    expect(await tool.call('Zorvath Kell length', { signal })).toBe(
      'Zorvath Kell\nZorvath Kell is a river. Its length is 312 km.',
    );
  });

  it('returns k passages separated by blank lines, cut to maxChars, optionally without titles', async () => {
    const tool = new WikiSearch({
      retriever: retriever(),
      k: 2,
      maxChars: 12,
      includeTitle: false,
      name: 'Search',
    });
    expect(tool.name).toBe('Search');
    const answer = await tool.call('Zorvath river', { signal });
    expect(answer.split('\n\n')).toHaveLength(2);
    for (const part of answer.split('\n\n')) expect(part.length).toBeLessThanOrEqual(12);
    expect(answer.split('\n\n')).toContain('Zorvath Kell');
  });

  it('explains empty queries and misses in text, and stays usable', async () => {
    const tool = new WikiSearch({ retriever: retriever() });
    expect(await tool.call('', { signal })).toBe(
      'Error: empty query; write a few words to search for, e.g. a name or a topic.',
    );
    expect(await tool.call('?!', { signal })).toMatch(/^Error: empty query/);
    expect(await tool.call('Unknown Thing', { signal })).toBe('No results for "unknown thing".');
    for (const query of HOSTILE_QUERIES) expect(typeof (await tool.call(query, { signal }))).toBe('string');
    expect(await tool.call('Mount Brae', { signal })).toBe('Mount Brae\nMount Brae is 4000 metres high.');
  });

  it('validates options, naming the field', () => {
    const r = retriever();
    expect(() => new WikiSearch({ retriever: r, k: 0 })).toThrow('WikiSearch: invalid options: k:');
    expect(() => new WikiSearch({ retriever: r, maxChars: -5 })).toThrow(
      'WikiSearch: invalid options: maxChars:',
    );
    expect(() => new WikiSearch({ retriever: r, name: 'Wiki Search' })).toThrow(
      'WikiSearch: invalid options: name:',
    );
    expect(() => new WikiSearch({ retriever: {} as Retriever })).toThrow(
      'WikiSearch: invalid options: retriever: must be a Retriever',
    );
    expect(() => new WikiSearch({ retriever: r, topK: 3 } as never)).toThrow(
      /topK: unknown option; valid options are retriever, k, maxChars/,
    );
    expect(() => new WikiSearch({ retriever: r, max_chars: 3 } as never)).toThrow(
      /trl-ts spells it maxChars/,
    );
    expect(() => new WikiSearch({ retriever: r, maxChar: 3 } as never)).toThrow(/did you mean maxChars\?/);
  });

  it('closes its retriever once, unless told not to', async () => {
    let closes = 0;
    const counting: Retriever = {
      kind: 'counting',
      search: async () => [],
      close: async () => {
        closes += 1;
      },
    };
    const tool = new WikiSearch({ retriever: counting });
    await tool.close();
    await tool.close();
    expect(closes).toBe(1);
    await expect(tool.call('x', { signal })).rejects.toThrow("WikiSearch tool 'Wiki' is closed");
    await new WikiSearch({ retriever: counting, closeRetriever: false }).close();
    expect(closes).toBe(1);
  });

  it('passes the abort signal to the retriever', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const spy: Retriever = {
      kind: 'spy',
      search: async (_query, _k, options) => {
        seen.push(options?.signal);
        return [];
      },
      close: async () => {},
    };
    await new WikiSearch({ retriever: spy }).call('x', { signal });
    expect(seen).toEqual([signal]);
  });
});

describe('formatPassages / truncate', () => {
  const passages: Passage[] = [
    { id: 'a#0', title: 'A', text: 'first', score: 2 },
    { id: 'b#0', title: 'B', text: 'second', score: 1 },
  ];

  it('lays out title lines and blank-line separators', () => {
    expect(formatPassages(passages, { maxChars: 600, includeTitle: true })).toBe('A\nfirst\n\nB\nsecond');
    expect(formatPassages(passages, { maxChars: 3, includeTitle: false })).toBe('fir\n\nsec');
  });

  it('never splits a surrogate pair', () => {
    expect(truncate('a😀b', 2)).toBe('a😀');
    expect(truncate('short', 10)).toBe('short');
  });
});
