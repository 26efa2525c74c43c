import { readFile } from 'node:fs/promises';
import { type PaddingSide, TrlError } from '@trl/core';
import { type ResolveModelFileOptions, resolveModelFile } from '../hub/resolve-model-file';
import { HuggingFaceTokenizer } from './huggingface-tokenizer';
import {
  parseJsonText,
  SPECIAL_TOKENS_MAP_FILE,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
} from './tokenizer-files';

/** Where to load a tokenizer from and how to set it up. */
export interface FromPretrainedTokenizerOptions extends Omit<ResolveModelFileOptions, 'required'> {
  /** Overrides `padding_side` from tokenizer_config.json. */
  paddingSide?: PaddingSide;
}

/** Loads tokenizers saved in the Hugging Face format, as transformers' `AutoTokenizer`. */
export const AutoTokenizer = {
  /**
   * Loads tokenizer.json (required) plus tokenizer_config.json and special_tokens_map.json (when
   * present) from a local directory or a hub repo id, downloading into the hub cache as needed.
   */
  async fromPretrained(
    pathOrRepoId: string,
    options: FromPretrainedTokenizerOptions = {},
  ): Promise<HuggingFaceTokenizer> {
    const { paddingSide, ...hubOptions } = options;
    const tokenizerPath = await resolveModelFile(pathOrRepoId, TOKENIZER_FILE, hubOptions).catch(
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        const message = `Cannot load a tokenizer from "${pathOrRepoId}": ${reason} Only fast tokenizers saved as ${TOKENIZER_FILE} are supported.`;
        // Bad input (a missing file, a bad repo id) keeps its code; network failures stay plain Errors.
        if (error instanceof TrlError)
          throw Object.assign(new TrlError(error.code, message), { cause: error });
        throw new Error(message, { cause: error });
      },
    );
    const configPath = await resolveModelFile(pathOrRepoId, TOKENIZER_CONFIG_FILE, {
      ...hubOptions,
      required: false,
    });
    const mapPath = await resolveModelFile(pathOrRepoId, SPECIAL_TOKENS_MAP_FILE, {
      ...hubOptions,
      required: false,
    });
    return new HuggingFaceTokenizer({
      tokenizerJson: await readJsonFile(tokenizerPath),
      tokenizerConfig: configPath === undefined ? undefined : await readJsonFile(configPath),
      specialTokensMap: mapPath === undefined ? undefined : await readJsonFile(mapPath),
      paddingSide,
      source: pathOrRepoId,
    });
  },
};

async function readJsonFile(path: string): Promise<unknown> {
  return parseJsonText(await readFile(path, 'utf8'), path);
}
