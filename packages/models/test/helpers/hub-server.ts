import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Options of the fake hub. */
export interface HubServerOptions {
  /** Folder laid out as `<root>/<owner>/<name>/<revision>/<file>`. */
  root: string;
  /** When set, every request must carry `Authorization: Bearer <requiredToken>` or gets 401. */
  requiredToken?: string;
  /** Repo ids that answer 403, as gated repos do for users who have not accepted the terms. */
  gatedRepos?: readonly string[];
  /** Commit hash sent as `X-Repo-Commit`, as the real hub does. Omitted when undefined. */
  commitHash?: string;
  /** Repo ids whose files answer 500, to exercise generic HTTP errors. */
  failingRepos?: readonly string[];
  /**
   * File names answered with a 302 to `{cdnEndpoint}/cdn/{repo}/{revision}/{file}`, as the hub does
   * for LFS files. The CDN response carries no `X-Repo-Commit`.
   */
  lfsFiles?: readonly string[];
  /** Base URL of the server that answers `/cdn/...` (another fake hub); default this server. */
  cdnEndpoint?: string;
}

/** One request the fake hub received. */
export interface RecordedRequest {
  /** Request path, still URL-encoded. */
  url: string;
  /** Request headers. */
  headers: IncomingHttpHeaders;
}

/** A running fake hub on 127.0.0.1. */
export interface HubServer {
  /** Base URL to pass as `endpoint`, e.g. `http://127.0.0.1:53211`. */
  endpoint: string;
  /** Every request received so far, in order. */
  requests: RecordedRequest[];
  /** Stops the server. */
  close(): Promise<void>;
}

const RESOLVE_PATH = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/;
const CDN_PATH = /^\/cdn\/(.+)$/;

/**
 * Starts a loopback HTTP server that answers `/{repo}/resolve/{revision}/{file}` like huggingface.co,
 * serving files from a folder and recording requests so tests can prove caching and offline mode.
 */
export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '/';
    requests.push({ url, headers: request.headers });
    const cdnMatch = CDN_PATH.exec(url);
    if (cdnMatch !== null) {
      serveFile(join(options.root, decodeURIComponent(cdnMatch[1] ?? '')), response);
      return;
    }
    const match = RESOLVE_PATH.exec(url);
    if (match === null) {
      response.writeHead(400).end('not a resolve URL');
      return;
    }
    const [, repoId = '', revision = '', encodedFile = ''] = match;
    if (options.commitHash !== undefined) response.setHeader('x-repo-commit', options.commitHash);
    if (
      options.requiredToken !== undefined &&
      request.headers.authorization !== `Bearer ${options.requiredToken}`
    ) {
      response.writeHead(401).end('Invalid credentials');
      return;
    }
    if (options.gatedRepos?.includes(repoId)) {
      response.writeHead(403).end('Access to this repo is restricted');
      return;
    }
    if (options.failingRepos?.includes(repoId)) {
      response.writeHead(500).end('Internal error');
      return;
    }
    const filename = decodeURIComponent(encodedFile);
    const file = join(options.root, repoId, decodeURIComponent(revision), filename);
    if (options.lfsFiles?.includes(filename) && existsSync(file)) {
      const cdn = options.cdnEndpoint ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      response.writeHead(302, { location: `${cdn}/cdn/${repoId}/${revision}/${encodedFile}` }).end();
      return;
    }
    serveFile(file, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function serveFile(file: string, response: ServerResponse): void {
  if (!existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
}
