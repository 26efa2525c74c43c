import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { temporarySiblingPath } from './temporary-path';

/** Outcome of one `resolve` request. */
export type DownloadResult =
  /** The complete body was moved to the path `destinationFor(commitHash)` returned. */
  | { readonly kind: 'saved'; readonly path: string; readonly commitHash: string | undefined }
  /** The hub answered 404 (the file does not exist at that revision). */
  | { readonly kind: 'not-found'; readonly commitHash: string | undefined };

/** What `downloadToFile` needs to know. */
export interface DownloadRequest {
  /** Full `resolve` URL. */
  readonly url: string;
  /**
   * Where the file ends up, given the commit the hub reported (from `X-Repo-Commit`). The body is
   * written to a temp file beside it first and renamed only once complete.
   */
  readonly destinationFor: (commitHash: string | undefined) => string;
  /** Bearer token, when given. */
  readonly token: string | undefined;
  /** Aborts the request and the write. */
  readonly signal: AbortSignal | undefined;
  /** Repo id, for error messages. */
  readonly repoId: string;
}

/**
 * Streams a hub file to disk. The body goes to a temp file that is renamed into place only when
 * complete, so an interrupted download never leaves a truncated file that later loads would trust.
 */
export async function downloadToFile(request: DownloadRequest): Promise<DownloadResult> {
  const { response, commitHash } = await fetchFollowingRedirects(request);
  if (response.status === 404) {
    await response.body?.cancel();
    return { kind: 'not-found', commitHash };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new Error(
      `Access to ${request.url} was refused (HTTP ${response.status}). The repo "${request.repoId}" may be private or ` +
        'gated, or may not exist. Accept its terms on the hub if it is gated, then pass a token with `token` ' +
        'or set HF_TOKEN.',
    );
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`Downloading ${request.url} failed with HTTP ${response.status} ${response.statusText}.`);
  }
  const destination = request.destinationFor(commitHash);
  await mkdir(dirname(destination), { recursive: true });
  const temporary = temporarySiblingPath(destination);
  try {
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    await pipeline(body, createWriteStream(temporary), { signal: request.signal });
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`Downloading ${request.url} was interrupted: ${describe(error)}`, { cause: error });
  }
  return { kind: 'saved', path: destination, commitHash };
}

/** Redirect hops allowed before giving up, as browsers do. */
const MAX_REDIRECTS = 10;

/**
 * Follows redirects by hand because the hub answers large (LFS) files with a redirect to a CDN whose
 * response lacks `X-Repo-Commit`; the commit must be read from the hub's own first response. The
 * token is only sent to the endpoint's origin, never to the CDN.
 */
async function fetchFollowingRedirects(
  request: DownloadRequest,
): Promise<{ response: Response; commitHash: string | undefined }> {
  const hubOrigin = new URL(request.url).origin;
  let url = request.url;
  let commitHash: string | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = {};
    if (request.token !== undefined && new URL(url).origin === hubOrigin) {
      headers['authorization'] = `Bearer ${request.token}`;
    }
    const response = await fetchOrExplain(url, headers, request.signal);
    commitHash ??= response.headers.get('x-repo-commit') ?? undefined;
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return { response, commitHash };
    await response.body?.cancel();
    url = new URL(location, url).toString();
  }
  throw new Error(`Downloading ${request.url} failed: more than ${MAX_REDIRECTS} redirects.`);
}

async function fetchOrExplain(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<Response> {
  try {
    return await fetch(url, { headers, redirect: 'manual', signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new Error(
      `Could not reach ${url}: ${describe(error)}. Check the network or the endpoint, ` +
        'or set HF_HUB_OFFLINE=1 to use cached files only.',
      { cause: error },
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
