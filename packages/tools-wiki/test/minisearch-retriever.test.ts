import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniSearchRetriever } from '../src/index';
import { FIXTURE_CORPUS, fixtureRows, TINY_ROWS, tempDir, writeCorpus } from './helpers/corpus-files';
import { expectFindsEveryTitle, expectHostileQueriesHarmless } from './helpers/retriever-checks';

const { dir, cleanup } = tempDir();
let fixture: MiniSearchRetriever;

beforeAll(async () => {
  fixture = await MiniSearchRetriever.fromJsonl(FIXTURE_CORPUS);
});
afterAll(async () => {
  await fixture.close();
  cleanup();
});

describe('MiniSearchRetriever', () => {
  const rows = fixtureRows();

  it('indexes one document per paragraph with the same ids as the SQLite index', async () => {
    const paragraphs = rows.reduce((sum, row) => sum + row.text.split('\n\n').length, 0);
    expect(fixture.count()).toBe(paragraphs);
    const [top] = await fixture.search(rows[3]!.title, 1);
    expect(top!.id).toMatch(new RegExp(`^${rows[3]!.id}#\\d$`));
  });

  it('finds every article by its title', async () => {
    await expectFindsEveryTitle(fixture, rows);
  });

  it('answers a fact question with the paragraph holding the fact', async () => {
    const mountain = rows.find((row) => row.text.includes('is a mountain in'))!;
    const [top] = await fixture.search(`How high is the summit of ${mountain.title}?`, 1);
    expect(top!.id).toBe(`${mountain.id}#0`);
  });

  it('weights titles by titleBoost', async () => {
    // "alpha" is in row 1's title and text and only in row 3's text: a bigger title boost must
    // widen the gap between them.
    const input = writeCorpus(dir, TINY_ROWS, 'tiny.jsonl');
    const gap = async (titleBoost: number) => {
      const retriever = await MiniSearchRetriever.fromJsonl(input, { titleBoost });
      const [first, second] = await retriever.search('alpha', 2);
      expect([first!.id, second!.id]).toEqual(['1#0', '3#0']);
      return first!.score - second!.score;
    };
    expect(await gap(4)).toBeGreaterThan(await gap(1));
    expect(() => new MiniSearchRetriever({ titleBoost: 0 })).toThrow("option 'titleBoost'");
  });

  it('never throws on hostile queries and keeps working after them', async () => {
    await expectHostileQueriesHarmless(fixture);
    await expectFindsEveryTitle(fixture, rows.slice(0, 1));
  });

  it('builds from passages in memory and refuses use after close', async () => {
    const retriever = MiniSearchRetriever.fromPassages([
      { id: 'a#0', articleId: 'a', title: 'Quartz', text: 'a hard mineral' },
      { id: 'b#0', articleId: 'b', title: 'Talc', text: 'a soft mineral' },
    ]);
    expect((await retriever.search('soft', 5)).map((p) => p.id)).toEqual(['b#0']);
    expect((await retriever.search('mineral', 5)).map((p) => p.id).sort()).toEqual(['a#0', 'b#0']);
    await retriever.close();
    await retriever.close();
    await expect(retriever.search('soft', 1)).rejects.toThrow('MiniSearchRetriever is closed');
  });

  it('reports a missing corpus file by path', async () => {
    await expect(MiniSearchRetriever.fromJsonl(join(dir, 'nope.jsonl'))).rejects.toThrow(
      `corpus file not found: ${join(dir, 'nope.jsonl')}`,
    );
  });
});
