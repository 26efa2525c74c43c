import { afterAll, describe, expect, it } from 'vitest';
import { readCorpusPassages, readCorpusRows, rowPassages, splitParagraphs } from '../src/index';
import { FIXTURE_CORPUS, fixtureRows, tempDir, writeCorpus } from './helpers/corpus-files';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('splitParagraphs', () => {
  it('splits on blank lines, including whitespace-only and CRLF ones', () => {
    expect(splitParagraphs('one\n\ntwo\n  \nthree\r\n\r\nfour')).toEqual(['one', 'two', 'three', 'four']);
    expect(splitParagraphs('line one\nline two')).toEqual(['line one\nline two']);
    expect(splitParagraphs('\n\n  \n\n')).toEqual([]);
  });
});

describe('readCorpusRows', () => {
  it('streams the fixture corpus: 500 generated articles', async () => {
    const rows = await collect(readCorpusRows(FIXTURE_CORPUS));
    expect(rows).toHaveLength(500);
    expect(rows[0]).toEqual(fixtureRows()[0]);
  });

  it('turns numeric ids into strings and numbers paragraphs', async () => {
    const path = writeCorpus(dir, [
      { id: 7, title: 'T', text: 'a\n\nb' },
      '',
      { id: 'x', title: 'U', text: 'c' },
    ]);
    expect(await collect(readCorpusPassages(path))).toEqual([
      { id: '7#0', articleId: '7', title: 'T', text: 'a' },
      { id: '7#1', articleId: '7', title: 'T', text: 'b' },
      { id: 'x#0', articleId: 'x', title: 'U', text: 'c' },
    ]);
    expect(rowPassages({ id: 'e', title: 'E', text: '' })).toEqual([]);
  });

  it('names the file and line of invalid JSON or missing fields', async () => {
    const badJson = writeCorpus(dir, [{ id: '1', title: 'a', text: 'b' }, '{oops'], 'bad-json.jsonl');
    await expect(collect(readCorpusRows(badJson))).rejects.toThrow(`${badJson}:2: invalid JSON`);
    const noText = writeCorpus(dir, [{ id: '1', title: 'a' }], 'no-text.jsonl');
    await expect(collect(readCorpusRows(noText))).rejects.toThrow(
      `${noText}:1: field 'text': Invalid input: expected string, received undefined`,
    );
  });

  it('says which corpus file is missing', async () => {
    await expect(collect(readCorpusRows(`${dir}/nope.jsonl`))).rejects.toThrow(
      `corpus file not found: ${dir}/nope.jsonl`,
    );
  });
});
