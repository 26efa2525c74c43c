import { homedir } from 'node:os';
import { join } from 'node:path';

/** The public Hugging Face hub, used when neither the `endpoint` option nor `HF_ENDPOINT` is set. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Hub base URL: the option, else `HF_ENDPOINT`, else huggingface.co, without a trailing slash. */
export function resolveEndpoint(endpoint: string | undefined): string {
  const chosen = nonEmpty(endpoint) ?? nonEmpty(process.env['HF_ENDPOINT']) ?? DEFAULT_HUB_ENDPOINT;
  return chosen.replace(/\/+$/, '');
}

/**
 * Cache root, following huggingface_hub's precedence so Python and TypeScript share one cache:
 * the option, else `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
 */
export function resolveCacheDir(cacheDir: string | undefined): string {
  const explicit = nonEmpty(cacheDir) ?? nonEmpty(process.env['HF_HUB_CACHE']);
  if (explicit !== undefined) return explicit;
  const hfHome = nonEmpty(process.env['HF_HOME']);
  if (hfHome !== undefined) return join(hfHome, 'hub');
  const xdgCache = nonEmpty(process.env['XDG_CACHE_HOME']);
  return join(xdgCache ?? join(homedir(), '.cache'), 'huggingface', 'hub');
}

/** Access token: the option, else `HF_TOKEN` (or the legacy `HUGGING_FACE_HUB_TOKEN`). */
export function resolveToken(token: string | undefined): string | undefined {
  return (
    nonEmpty(token) ?? nonEmpty(process.env['HF_TOKEN']) ?? nonEmpty(process.env['HUGGING_FACE_HUB_TOKEN'])
  );
}

/** True when `HF_HUB_OFFLINE` is set to a truthy value, as huggingface_hub reads it. */
export function isOfflineMode(): boolean {
  const value = process.env['HF_HUB_OFFLINE']?.trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes' || value === 'on';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
