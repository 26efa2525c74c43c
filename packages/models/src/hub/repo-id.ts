import { TrlError } from '@trl/core';

/**
 * Hugging Face repo ids are `owner/name` (or a bare `name` for legacy canonical models such as `gpt2`).
 * Validating the form up front turns a typo into a clear message instead of a confusing 401 from the hub.
 */
const REPO_ID_PART = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Longest repo id the hub accepts, as huggingface_hub enforces. */
const MAX_REPO_ID_LENGTH = 96;

/**
 * Throws an Error explaining what is wrong with `repoId` unless it is a well-formed hub repo id.
 * `argumentName` names the caller's parameter in the message.
 */
export function assertValidRepoId(repoId: string, argumentName = 'pathOrRepoId'): void {
  const problem = repoIdProblem(repoId);
  if (problem !== undefined) {
    throw new TrlError(
      'invalid-argument',
      `${argumentName} "${repoId}" is neither an existing local directory nor a valid Hugging Face repo id: ${problem}. ` +
        'Pass a directory that exists or a repo id like "openai-community/gpt2".',
    );
  }
}

function repoIdProblem(repoId: string): string | undefined {
  if (repoId.length === 0) return 'it is empty';
  if (repoId.length > MAX_REPO_ID_LENGTH) return `it is longer than ${MAX_REPO_ID_LENGTH} characters`;
  const parts = repoId.split('/');
  if (parts.length > 2) return 'a repo id has at most one "/" (owner/name)';
  for (const part of parts) {
    if (!REPO_ID_PART.test(part)) {
      return `"${part}" may only contain letters, digits, "-", "_" and "." and must start with a letter or digit`;
    }
    if (part.includes('--') || part.includes('..')) return `"${part}" must not contain "--" or ".."`;
    if (part.endsWith('.') || part.endsWith('-')) return `"${part}" must not end with "." or "-"`;
  }
  if (repoId.endsWith('.git')) return 'it must not end with ".git"';
  return undefined;
}

/** Throws unless `pathOrRepoId` is a non-empty string; whether it names a directory or a repo is checked later. */
export function assertPathOrRepoIdGiven(pathOrRepoId: unknown): asserts pathOrRepoId is string {
  if (typeof pathOrRepoId !== 'string' || pathOrRepoId.length === 0) {
    throw new TrlError(
      'invalid-argument',
      'pathOrRepoId must be a model directory or a hub repo id such as "gpt2".',
    );
  }
}
