import { join } from 'node:path';
import { TrlError, writeFileAtomic } from '@trl/core';
import { SPECIAL_TOKENS_MAP_FILE, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './tokenizer-files';

/** The JSON values of a tokenizer directory. */
export interface TokenizerFileContents {
  /** tokenizer.json. */
  tokenizerJson: unknown;
  /** tokenizer_config.json. */
  tokenizerConfig: unknown;
  /** special_tokens_map.json. */
  specialTokensMap: unknown;
}

/**
 * Writes the three tokenizer files into `directory` (created when missing). Each file is written to
 * a temp file and renamed, so an interrupted save never leaves a truncated tokenizer.json behind.
 */
export async function savePretrainedTokenizer(
  directory: string,
  files: TokenizerFileContents,
): Promise<void> {
  if (typeof directory !== 'string' || directory === '') {
    throw new TrlError('invalid-argument', 'savePretrained: directory must be a non-empty path.');
  }
  await writeFileAtomic(join(directory, TOKENIZER_FILE), toJsonText(files.tokenizerJson));
  await writeFileAtomic(join(directory, TOKENIZER_CONFIG_FILE), toJsonText(files.tokenizerConfig));
  await writeFileAtomic(join(directory, SPECIAL_TOKENS_MAP_FILE), toJsonText(files.specialTokensMap));
}

function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
