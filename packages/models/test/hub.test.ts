import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveCacheDir, resolveEndpoint, resolveModelFile } from '../src/hub/index';
import { type HubServer, startHubServer } from './helpers/hub-server';

const COMMIT = 'a'.repeat(40);
let scratch: string;
let hubRoot: string;
let server: HubServer;

function writeHubFile(repoId: string, revision: string, file: string, contents: string): void {
  const path = join(hubRoot, repoId, revision, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, contents);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'trl-hub-'));
  hubRoot = join(scratch, 'hub');
  writeHubFile('acme/tiny', 'main', 'config.json', '{"n_layer":2}');
  writeHubFile('acme/tiny', 'main', 'onnx/weights.bin', 'binary!');
  writeHubFile('acme/tiny', 'v1.0', 'config.json', '{"n_layer":1}');
  server = await startHubServer({ root: hubRoot, gatedRepos: ['acme/gated'], failingRepos: ['acme/broken'] });
});

afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

let cacheDir: string;
beforeEach(() => {
  vi.stubEnv('HF_HUB_OFFLINE', '');
  vi.stubEnv('HF_TOKEN', '');
  vi.stubEnv('HUGGING_FACE_HUB_TOKEN', '');
  vi.stubEnv('HF_ENDPOINT', '');
  cacheDir = mkdtempSync(join(scratch, 'cache-'));
  server.requests.length = 0;
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveModelFile from a local directory', () => {
  it('joins the directory and the filename', async () => {
    const dir = join(scratch, 'local-model');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    await expect(resolveModelFile(dir, 'config.json')).resolves.toBe(join(dir, 'config.json'));
    expect(server.requests).toHaveLength(0);
  });

  it('names the file and directory when a required file is missing', async () => {
    const dir = join(scratch, 'local-empty');
    mkdirSync(dir, { recursive: true });
    await expect(resolveModelFile(dir, 'model.safetensors')).rejects.toThrow(
      /"model\.safetensors" is missing from the model directory ".*local-empty"/,
    );
  });

  it('returns undefined for a missing optional file', async () => {
    const dir = join(scratch, 'local-empty-2');
    mkdirSync(dir, { recursive: true });
    await expect(
      resolveModelFile(dir, 'special_tokens_map.json', { required: false }),
    ).resolves.toBeUndefined();
  });

  it('explains a path-like argument that does not exist instead of asking the hub', async () => {
    await expect(resolveModelFile('./no/such/dir', 'config.json')).rejects.toThrow(
      /"\.\/no\/such\/dir" does not exist/,
    );
    await expect(resolveModelFile(join(scratch, 'missing'), 'config.json')).rejects.toThrow(/does not exist/);
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a file passed where a directory is expected', async () => {
    const file = join(scratch, 'a-file.json');
    writeFileSync(file, '{}');
    await expect(resolveModelFile(file, 'config.json')).rejects.toThrow(/is a file; pass the directory/);
  });
});

describe('resolveModelFile from the hub', () => {
  it('downloads into the huggingface_hub cache layout and reuses it without a request', async () => {
    const path = await resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir });
    expect(path).toBe(join(cacheDir, 'models--acme--tiny', 'snapshots', 'main', 'config.json'));
    expect(readFileSync(path, 'utf8')).toBe('{"n_layer":2}');
    expect(server.requests.map((r) => r.url)).toEqual(['/acme/tiny/resolve/main/config.json']);

    const again = await resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir });
    expect(again).toBe(path);
    expect(server.requests).toHaveLength(1);
  });

  it('leaves no temporary files behind', async () => {
    await resolveModelFile('acme/tiny', 'onnx/weights.bin', { endpoint: `${server.endpoint}/`, cacheDir });
    const snapshot = join(cacheDir, 'models--acme--tiny', 'snapshots', 'main');
    expect(readFileSync(join(snapshot, 'onnx', 'weights.bin'), 'utf8')).toBe('binary!');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(snapshot, 'onnx'))).toEqual(['weights.bin']);
  });

  it('downloads the requested revision separately', async () => {
    const path = await resolveModelFile('acme/tiny', 'config.json', {
      endpoint: server.endpoint,
      cacheDir,
      revision: 'v1.0',
    });
    expect(readFileSync(path, 'utf8')).toBe('{"n_layer":1}');
    expect(server.requests.map((r) => r.url)).toEqual(['/acme/tiny/resolve/v1.0/config.json']);
  });

  it('stores files under the commit the hub reports and maps the branch to it in refs/', async () => {
    const withCommit = await startHubServer({ root: hubRoot, commitHash: COMMIT });
    try {
      const path = await resolveModelFile('acme/tiny', 'config.json', {
        endpoint: withCommit.endpoint,
        cacheDir,
      });
      expect(path).toBe(join(cacheDir, 'models--acme--tiny', 'snapshots', COMMIT, 'config.json'));
      expect(readFileSync(join(cacheDir, 'models--acme--tiny', 'refs', 'main'), 'utf8')).toBe(COMMIT);
      await resolveModelFile('acme/tiny', 'config.json', { endpoint: withCommit.endpoint, cacheDir });
      await resolveModelFile('acme/tiny', 'config.json', {
        endpoint: withCommit.endpoint,
        cacheDir,
        revision: COMMIT,
      });
      expect(withCommit.requests).toHaveLength(1);
    } finally {
      await withCommit.close();
    }
  });

  it('follows the redirect of LFS files, keeps the commit of the hub response and keeps the token off the CDN', async () => {
    const cdn = await startHubServer({ root: hubRoot });
    const hub = await startHubServer({
      root: hubRoot,
      commitHash: COMMIT,
      lfsFiles: ['onnx/weights.bin'],
      cdnEndpoint: cdn.endpoint,
    });
    try {
      const options = { endpoint: hub.endpoint, cacheDir, token: 'hf_secret' };
      const path = await resolveModelFile('acme/tiny', 'onnx/weights.bin', options);
      expect(path).toBe(join(cacheDir, 'models--acme--tiny', 'snapshots', COMMIT, 'onnx', 'weights.bin'));
      expect(readFileSync(path, 'utf8')).toBe('binary!');
      expect(hub.requests[0]?.headers.authorization).toBe('Bearer hf_secret');
      expect(cdn.requests.map((r) => r.url)).toEqual(['/cdn/acme/tiny/main/onnx/weights.bin']);
      expect(cdn.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await hub.close();
      await cdn.close();
    }
  });

  it('follows a same-origin redirect with the token', async () => {
    const hub = await startHubServer({ root: hubRoot, lfsFiles: ['config.json'] });
    try {
      const path = await resolveModelFile('acme/tiny', 'config.json', {
        endpoint: hub.endpoint,
        cacheDir,
        token: 't',
      });
      expect(readFileSync(path, 'utf8')).toBe('{"n_layer":2}');
      expect(hub.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
        ['/acme/tiny/resolve/main/config.json', 'Bearer t'],
        ['/cdn/acme/tiny/main/config.json', 'Bearer t'],
      ]);
    } finally {
      await hub.close();
    }
  });

  it('stops on an aborted signal and caches nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      resolveModelFile('acme/tiny', 'config.json', {
        endpoint: server.endpoint,
        cacheDir,
        signal: controller.signal,
      }),
    ).rejects.toThrow(/abort/i);
    expect(existsSync(join(cacheDir, 'models--acme--tiny', 'snapshots'))).toBe(false);
  });

  it('reads endpoint and cache dir from HF_ENDPOINT and HF_HUB_CACHE', async () => {
    vi.stubEnv('HF_ENDPOINT', server.endpoint);
    vi.stubEnv('HF_HUB_CACHE', cacheDir);
    const path = await resolveModelFile('acme/tiny', 'config.json');
    expect(path.startsWith(cacheDir)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('falls back to HF_HOME/hub, then to ~/.cache/huggingface/hub, and strips trailing slashes', () => {
    vi.stubEnv('HF_HUB_CACHE', '');
    vi.stubEnv('HF_HOME', '/srv/hf');
    expect(resolveCacheDir(undefined)).toBe(join('/srv/hf', 'hub'));
    vi.stubEnv('HF_HOME', '');
    vi.stubEnv('XDG_CACHE_HOME', '');
    expect(resolveCacheDir(undefined)).toMatch(/\.cache[/\\]huggingface[/\\]hub$/);
    expect(resolveEndpoint(undefined)).toBe('https://huggingface.co');
    expect(resolveEndpoint('http://mirror.local//')).toBe('http://mirror.local');
  });

  it('returns undefined for an optional 404 and remembers it', async () => {
    const options = { endpoint: server.endpoint, cacheDir, required: false };
    await expect(resolveModelFile('acme/tiny', 'tokenizer_config.json', options)).resolves.toBeUndefined();
    await expect(resolveModelFile('acme/tiny', 'tokenizer_config.json', options)).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('asks the hub again for a required file it remembered as absent', async () => {
    const options = { endpoint: server.endpoint, cacheDir };
    await resolveModelFile('acme/tiny', 'late.json', { ...options, required: false });
    writeHubFile('acme/tiny', 'main', 'late.json', '{"late":true}');
    try {
      await expect(
        resolveModelFile('acme/tiny', 'late.json', { ...options, required: false }),
      ).resolves.toBeUndefined();
      const path = await resolveModelFile('acme/tiny', 'late.json', options);
      expect(readFileSync(path, 'utf8')).toBe('{"late":true}');
      expect(server.requests).toHaveLength(2);
    } finally {
      rmSync(join(hubRoot, 'acme/tiny/main/late.json'));
    }
  });

  it('names the file, repo and URL when a required file is missing', async () => {
    await expect(
      resolveModelFile('acme/tiny', 'model.safetensors', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(
      /no "model\.safetensors" in repo "acme\/tiny" at revision "main" \(HTTP 404 from http:\/\/127/,
    );
  });

  it('explains 401 and 403 in terms of tokens and gated repos', async () => {
    const privateHub = await startHubServer({ root: hubRoot, requiredToken: 'hf_secret' });
    try {
      const options = { endpoint: privateHub.endpoint, cacheDir };
      await expect(resolveModelFile('acme/tiny', 'config.json', options)).rejects.toThrow(
        /HTTP 401.*private or gated.*HF_TOKEN/s,
      );
      const path = await resolveModelFile('acme/tiny', 'config.json', { ...options, token: 'hf_secret' });
      expect(readFileSync(path, 'utf8')).toBe('{"n_layer":2}');
      expect(privateHub.requests.at(-1)?.headers.authorization).toBe('Bearer hf_secret');
    } finally {
      await privateHub.close();
    }
    await expect(
      resolveModelFile('acme/gated', 'config.json', { endpoint: server.endpoint, cacheDir, required: false }),
    ).rejects.toThrow(/HTTP 403.*"acme\/gated".*gated/s);
  });

  it('sends HF_TOKEN as a bearer token', async () => {
    vi.stubEnv('HF_TOKEN', 'hf_from_env');
    await resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer hf_from_env');
  });

  it('sends no authorization header without a token', async () => {
    await resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('names the URL and status of other HTTP errors', async () => {
    await expect(
      resolveModelFile('acme/broken', 'config.json', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(
      /http:\/\/127\.0\.0\.1:\d+\/acme\/broken\/resolve\/main\/config\.json failed with HTTP 500/,
    );
    expect(existsSync(join(cacheDir, 'models--acme--broken', 'snapshots'))).toBe(false);
  });

  it('explains an unreachable endpoint', async () => {
    await expect(
      resolveModelFile('acme/tiny', 'config.json', { endpoint: 'http://127.0.0.1:1', cacheDir }),
    ).rejects.toThrow(/Could not reach http:\/\/127\.0\.0\.1:1\/acme\/tiny.*HF_HUB_OFFLINE/);
  });
});

describe('offline mode', () => {
  it('serves cached files and never makes a request', async () => {
    await resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir });
    server.requests.length = 0;
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    const path = await resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir });
    expect(readFileSync(path, 'utf8')).toBe('{"n_layer":2}');
    await expect(
      resolveModelFile('acme/tiny', 'onnx/weights.bin', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(
      /"onnx\/weights\.bin" in repo "acme\/tiny" at revision "main" is not cached in .* offline mode is on/,
    );
    await expect(
      resolveModelFile('acme/tiny', 'special_tokens_map.json', {
        endpoint: server.endpoint,
        cacheDir,
        required: false,
      }),
    ).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });
});

describe('argument validation', () => {
  it.each([
    ['owner/name/extra', /at most one "\/"/],
    ['owner//name', /at most one "\/"/],
    ['-owner/name', /may only contain/],
    ['owner/na me', /may only contain/],
    ['owner/na--me', /must not contain "--"/],
    ['owner/name.git', /must not end with "\.git"/],
    ['', /it is empty/],
    [`owner/${'x'.repeat(100)}`, /longer than 96/],
  ])('rejects the repo id %j', async (repoId, reason) => {
    await expect(
      resolveModelFile(repoId, 'config.json', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(reason);
    await expect(
      resolveModelFile(repoId, 'config.json', { endpoint: server.endpoint, cacheDir }),
    ).rejects.toThrow(/neither an existing local directory nor a valid Hugging Face repo id/);
    expect(server.requests).toHaveLength(0);
  });

  it.each(['', '../config.json', '/etc/passwd', 'a/./b', 'a//b'])(
    'rejects the filename %j',
    async (filename) => {
      await expect(
        resolveModelFile('acme/tiny', filename, { endpoint: server.endpoint, cacheDir }),
      ).rejects.toThrow(/filename ".*" must be a relative path/);
    },
  );

  it('rejects a revision that would escape the cache', async () => {
    await expect(
      resolveModelFile('acme/tiny', 'config.json', { endpoint: server.endpoint, cacheDir, revision: '../x' }),
    ).rejects.toThrow(/revision "\.\.\/x" must be a branch, tag or commit/);
  });
});
