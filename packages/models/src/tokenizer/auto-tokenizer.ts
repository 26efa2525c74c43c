import { readFile } from 'node:fs/promises';
import { type PaddingSide, TrlError } from '@trl/core';
import { type ResolveModelFileOptions, resolveModelFile } from '../hub/resolve-model-file';
import { CHAT_TEMPLATE_FILE } from './chat-template';
import { readChatTemplateFiles } from './chat-template-files';
import { HuggingFaceTokenizer } from './huggingface-tokenizer';
import {
  parseJsonText,
  SPECIAL_TOKENS_MAP_FILE,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
} from './tokenizer-files';
import { WORDPIECE_VOCAB_FILE, wordPieceSpecialTokens, wordPieceTokenizerJson } from './wordpiece-vocab';

/** Where to load a tokenizer from and how to set it up. */
export interface FromPretrainedTokenizerOptions extends Omit<ResolveModelFileOptions, 'required'> {
  /** Overrides `padding_side` from tokenizer_config.json. */
  paddingSide?: PaddingSide;
}

/** Loads tokenizers saved in the Hugging Face format, as transformers' `AutoTokenizer`. */
export const AutoTokenizer = {
  /**
   * Loads tokenizer.json plus tokenizer_config.json, special_tokens_map.json and chat_template.jinja (when present) from
   * a local directory or a hub repo id, downloading into the hub cache as needed. A BERT-style
   * folder with vocab.txt instead of tokenizer.json gets the tokenizer transformers builds from it.
   */
  async fromPretrained(
    pathOrRepoId: string,
    options: FromPretrainedTokenizerOptions = {},
  ): Promise<HuggingFaceTokenizer> {
    const { paddingSide, ...hubOptions } = options;
    let missingTokenizerJson: unknown;
    const tokenizerPath = await resolveModelFile(pathOrRepoId, TOKENIZER_FILE, hubOptions).catch(
      (error: unknown) => {
        missingTokenizerJson = error;
        return undefined;
      },
    );
    // A BERT-style folder may hold only vocab.txt; transformers builds the tokenizer from it.
    const vocabPath =
      tokenizerPath === undefined
        ? await resolveModelFile(pathOrRepoId, WORDPIECE_VOCAB_FILE, {
            ...hubOptions,
            required: false,
          }).catch(() => undefined)
        : undefined;
    if (tokenizerPath === undefined && vocabPath === undefined) {
      const reason =
        missingTokenizerJson instanceof Error ? missingTokenizerJson.message : String(missingTokenizerJson);
      const message = `Cannot load a tokenizer from "${pathOrRepoId}": ${reason} Only fast tokenizers saved as ${TOKENIZER_FILE} are supported.`;
      // Bad input (a missing file, a bad repo id) keeps its code; network failures stay plain Errors.
      if (missingTokenizerJson instanceof TrlError)
        throw Object.assign(new TrlError(missingTokenizerJson.code, message), {
          cause: missingTokenizerJson,
        });
      throw new Error(message, { cause: missingTokenizerJson });
    }
    const configPath = await resolveModelFile(pathOrRepoId, TOKENIZER_CONFIG_FILE, {
      ...hubOptions,
      required: false,
    });
    const mapPath = await resolveModelFile(pathOrRepoId, SPECIAL_TOKENS_MAP_FILE, {
      ...hubOptions,
      required: false,
    });
    const chatTemplatePath = await resolveModelFile(pathOrRepoId, CHAT_TEMPLATE_FILE, {
      ...hubOptions,
      required: false,
    });
    let tokenizerConfig = configPath === undefined ? undefined : await readJsonFile(configPath);
    let tokenizerJson: unknown;
    if (tokenizerPath !== undefined) tokenizerJson = await readJsonFile(tokenizerPath);
    else {
      const config = isRecord(tokenizerConfig) ? tokenizerConfig : {};
      tokenizerJson = wordPieceTokenizerJson(await readFile(vocabPath!, 'utf8'), config, pathOrRepoId);
      // BertTokenizer's default roles apply with no config too, so pad/cls/sep ids are known.
      if (tokenizerConfig === undefined || isRecord(tokenizerConfig))
        tokenizerConfig = { ...config, ...wordPieceSpecialTokens(config) };
    }
    return new HuggingFaceTokenizer({
      tokenizerJson,
      tokenizerConfig,
      specialTokensMap: mapPath === undefined ? undefined : await readJsonFile(mapPath),
      paddingSide,
      source: pathOrRepoId,
      chatTemplate: await readChatTemplateFiles(pathOrRepoId, chatTemplatePath),
    });
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJsonFile(path: string): Promise<unknown> {
  return parseJsonText(await readFile(path, 'utf8'), path);
}
