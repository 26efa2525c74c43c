import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutoTokenizer, createByteLevelTokenizer } from '../src/tokenizer/index';
import { type HubServer, startHubServer } from './helpers/hub-server';

let scratch: string;
let server: HubServer;
let cacheDir: string;
const TEXT = 'Tool call: <request><Calculator>3*4<call>';

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'trl-tokenizer-load-'));
  const tokenizer = createByteLevelTokenizer();
  tokenizer.addTokens(['<request>', '<Calculator>', '<call>']);
  await tokenizer.savePretrained(join(scratch, 'hub', 'acme', 'tools', 'main'));
  // A repo with only tokenizer.json: the optional files answer 404.
  mkdirSync(join(scratch, 'hub', 'acme', 'bare', 'main'), { recursive: true });
  writeFileSync(
    join(scratch, 'hub', 'acme', 'bare', 'main', 'tokenizer.json'),
    JSON.stringify(tokenizer.toFiles().tokenizerJson),
  );
  server = await startHubServer({ root: join(scratch, 'hub') });
});

afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  vi.stubEnv('HF_HUB_OFFLINE', '');
  vi.stubEnv('HF_TOKEN', '');
  cacheDir = mkdtempSync(join(scratch, 'cache-'));
  server.requests.length = 0;
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('AutoTokenizer.fromPretrained', () => {
  it('loads from a local directory', async () => {
    const tokenizer = await AutoTokenizer.fromPretrained(join(scratch, 'hub', 'acme', 'tools', 'main'));
    expect(tokenizer.encode('<request>').length).toBe(1);
    expect(server.requests).toHaveLength(0);
  });

  it('downloads tokenizer files from the hub once, then loads from the cache without requests', async () => {
    const options = { endpoint: server.endpoint, cacheDir };
    const first = await AutoTokenizer.fromPretrained('acme/tools', options);
    expect(server.requests.map((request) => request.url).sort()).toEqual([
      '/acme/tools/resolve/main/chat_template.jinja',
      '/acme/tools/resolve/main/special_tokens_map.json',
      '/acme/tools/resolve/main/tokenizer.json',
      '/acme/tools/resolve/main/tokenizer_config.json',
    ]);
    const second = await AutoTokenizer.fromPretrained('acme/tools', options);
    expect(server.requests).toHaveLength(4);
    expect(second.encode(TEXT)).toEqual(first.encode(TEXT));
    expect(first.padTokenId).toBe(257);
    expect(first.tokenToId('<Calculator>')).toBe(259);
  });

  it('loads a repo that only has tokenizer.json and remembers the missing optional files', async () => {
    const options = { endpoint: server.endpoint, cacheDir, paddingSide: 'left' as const };
    const tokenizer = await AutoTokenizer.fromPretrained('acme/bare', options);
    expect(tokenizer.paddingSide).toBe('left');
    // Without tokenizer_config.json there are no roles, but the added tokens still match.
    expect(tokenizer.eosTokenId).toBeUndefined();
    expect(tokenizer.encode('<|endoftext|>')).toEqual([256]);
    await AutoTokenizer.fromPretrained('acme/bare', options);
    expect(server.requests).toHaveLength(4);
  });

  it('works offline from the cache and fails clearly for uncached repos', async () => {
    await AutoTokenizer.fromPretrained('acme/tools', { endpoint: server.endpoint, cacheDir });
    server.requests.length = 0;
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    const offline = await AutoTokenizer.fromPretrained('acme/tools', { endpoint: server.endpoint, cacheDir });
    expect(offline.tokenToId('<call>')).toBe(260);
    await expect(
      AutoTokenizer.fromPretrained('acme/bare', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(
      /"tokenizer\.json" in repo "acme\/bare" at revision "main" is not cached .*offline mode is on/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('names tokenizer.json when it is missing', async () => {
    const empty = join(scratch, 'empty-model');
    mkdirSync(empty, { recursive: true });
    await expect(AutoTokenizer.fromPretrained(empty)).rejects.toThrow(
      /Cannot load a tokenizer from ".*empty-model": Required file "tokenizer\.json" is missing/,
    );
    await expect(
      AutoTokenizer.fromPretrained('acme/nothing-here', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(/no "tokenizer\.json" in repo "acme\/nothing-here".*HTTP 404/);
  });

  it('names the corrupt file', async () => {
    const corrupt = join(scratch, 'corrupt-model');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": {');
    await expect(AutoTokenizer.fromPretrained(corrupt)).rejects.toThrow(
      /corrupt-model[/\\]tokenizer\.json is not valid JSON .*re-download or regenerate/,
    );
    writeFileSync(
      join(corrupt, 'tokenizer.json'),
      JSON.stringify(createByteLevelTokenizer().toFiles().tokenizerJson),
    );
    writeFileSync(join(corrupt, 'tokenizer_config.json'), 'not json');
    await expect(AutoTokenizer.fromPretrained(corrupt)).rejects.toThrow(
      /tokenizer_config\.json is not valid JSON/,
    );
  });

  it('refuses tokenizer model types @huggingface/tokenizers would silently encode as nothing', async () => {
    const dir = join(scratch, 'word-level');
    mkdirSync(dir, { recursive: true });
    const json = createByteLevelTokenizer().toFiles().tokenizerJson as { model: Record<string, unknown> };
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify({ ...json, model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' } }),
    );
    await expect(AutoTokenizer.fromPretrained(dir)).rejects.toThrow(
      /word-level.*tokenizer\.json: model\.type "WordLevel" is not supported \(only BPE, WordPiece, Unigram\)/,
    );
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ ...json, model: { vocab: { a: 0 } } }));
    await expect(AutoTokenizer.fromPretrained(dir)).rejects.toThrow(/model\.type is missing.*add "type"/);
  });

  it('infers a missing BPE model type as the Rust library does, and encodes the same', async () => {
    const dir = join(scratch, 'untyped-bpe');
    mkdirSync(dir, { recursive: true });
    const reference = createByteLevelTokenizer();
    const json = reference.toFiles().tokenizerJson as { model: Record<string, unknown> };
    const { type, ...untyped } = json.model;
    expect(type).toBe('BPE');
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ ...json, model: untyped }));
    const loaded = await AutoTokenizer.fromPretrained(dir);
    expect(loaded.encode(TEXT)).toEqual(reference.encode(TEXT));
    expect(loaded.encode(TEXT).length).toBeGreaterThan(0);
  });

  it('rejects bad repo ids before any request', async () => {
    await expect(
      AutoTokenizer.fromPretrained('a/b/c', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(/"a\/b\/c" is neither an existing local directory nor a valid Hugging Face repo id/);
    expect(server.requests).toHaveLength(0);
  });
});
