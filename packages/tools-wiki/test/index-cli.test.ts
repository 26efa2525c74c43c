import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIndexCli, SqliteRetriever } from '../src/index';
import { FIXTURE_CORPUS, tempDir } from './helpers/corpus-files';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (text: string) => (out.stdout += text), stderr: (text: string) => (out.stderr += text) },
  };
}

describe('trl-wiki-index CLI', () => {
  it('builds an index and prints a JSON summary', async () => {
    const { out, io } = capture();
    const output = join(dir, 'cli.db');
    const code = await runIndexCli(
      ['--input', FIXTURE_CORPUS, '--output', output, '--title-weight', '3'],
      io,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(out.stdout) as { articles: number; passages: number; output: string };
    expect(summary.articles).toBe(500);
    expect(summary.output).toBe(output);
    expect(out.stderr).toMatch(/indexed \d+ passages/);
    const retriever = await SqliteRetriever.open(output);
    expect(retriever.count()).toBe(summary.passages);
    await retriever.close();
  });

  it('exits 2 on usage errors and 1 on build errors, with a message', async () => {
    const usage = capture();
    expect(await runIndexCli(['--input', FIXTURE_CORPUS], usage.io)).toBe(2);
    expect(usage.out.stderr).toMatch(/required option '-o, --output <index.db>' not specified/);
    const weight = capture();
    expect(await runIndexCli(['-i', 'a', '-o', 'b', '--title-weight', 'x'], weight.io)).toBe(2);
    expect(weight.out.stderr).toMatch(/must be a positive number/);
    const missing = capture();
    expect(
      await runIndexCli(['-i', join(dir, 'none.jsonl'), '-o', join(dir, 'x.db'), '-q'], missing.io),
    ).toBe(1);
    expect(missing.out.stderr).toBe(`trl-wiki-index: corpus file not found: ${join(dir, 'none.jsonl')}\n`);
  });

  it('prints help with exit code 0', async () => {
    const help = capture();
    expect(await runIndexCli(['--help'], help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/Usage: trl-wiki-index/);
  });
});
