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
  const response = await fetchOrExplain(request);
  const commitHash = response.headers.get('x-repo-commit') ?? undefined;
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

async function fetchOrExplain(request: DownloadRequest): Promise<Response> {
  const headers: Record<string, string> = {};
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  try {
    return await fetch(request.url, { headers, redirect: 'follow', signal: request.signal });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    throw new Error(
      `Could not reach ${request.url}: ${describe(error)}. Check the network or the endpoint, ` +
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
