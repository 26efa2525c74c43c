import { TrlError } from '@trl/core';

/** The settings of tokenizer_config.json that decide which of bos/eos wrap every encoded text. */
export interface BosEosSettings {
  /** tokenizer_config.json `add_bos_token`, when the file sets it. */
  addBos: boolean | undefined;
  /** tokenizer_config.json `add_eos_token`, when the file sets it. */
  addEos: boolean | undefined;
  /** The bos token and its id, when the tokenizer has one. */
  bos?: { content: string; id: number };
  /** The eos token and its id, when the tokenizer has one. */
  eos?: { content: string; id: number };
}

function flag(value: unknown, key: string, source: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new TrlError(
      'invalid-file',
      `${source}: ${key} must be true or false, got ${JSON.stringify(value)}; fix tokenizer_config.json.`,
    );
  return value;
}

/** Reads `add_bos_token` / `add_eos_token` from tokenizer_config.json, refusing non-booleans. */
export function readBosEosFlags(
  config: Readonly<Record<string, unknown>>,
  source: string,
): { addBos: boolean | undefined; addEos: boolean | undefined } {
  return {
    addBos: flag(config['add_bos_token'], 'add_bos_token', source),
    addEos: flag(config['add_eos_token'], 'add_eos_token', source),
  };
}

/**
 * The post-processor transformers installs when tokenizer_config.json sets `add_bos_token` or
 * `add_eos_token`: a template `bos? $A eos?` (pairs `bos? $A eos? bos? $B eos?`, the second
 * half with type id 1) that replaces whatever tokenizer.json had. A flag for a role with no token is
 * ignored, as there. Returns undefined when neither flag is set, keeping tokenizer.json's own.
 */
export function bosEosPostProcessor(settings: BosEosSettings): unknown {
  if (settings.addBos === undefined && settings.addEos === undefined) return undefined;
  const bos = settings.addBos ? settings.bos : undefined;
  const eos = settings.addEos ? settings.eos : undefined;
  const special = (token: { content: string } | undefined, typeId: number) =>
    token === undefined ? [] : [{ SpecialToken: { id: token.content, type_id: typeId } }];
  const half = (sequence: 'A' | 'B', typeId: number) => [
    ...special(bos, typeId),
    { Sequence: { id: sequence, type_id: typeId } },
    ...special(eos, typeId),
  ];
  const specialTokens: Record<string, { id: string; ids: number[]; tokens: string[] }> = {};
  for (const token of [bos, eos]) {
    if (token !== undefined)
      specialTokens[token.content] = { id: token.content, ids: [token.id], tokens: [token.content] };
  }
  return {
    type: 'TemplateProcessing',
    single: half('A', 0),
    pair: [...half('A', 0), ...half('B', 1)],
    special_tokens: specialTokens,
  };
}
