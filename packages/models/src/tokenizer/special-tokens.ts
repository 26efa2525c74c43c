import type { SpecialTokensMapJson, SpecialTokenValue, TokenizerConfigJson } from './tokenizer-files';

/** The special tokens a tokenizer assigns to roles, as transformers' `SPECIAL_TOKENS_ATTRIBUTES`. */
export interface SpecialTokenRoles {
  /** Beginning of sequence. */
  bos?: string;
  /** End of sequence. */
  eos?: string;
  /** Unknown token. */
  unk?: string;
  /** Padding. */
  pad?: string;
  /** Separator (BERT-style models). */
  sep?: string;
  /** Classification token (BERT-style models). */
  cls?: string;
  /** Mask token (masked language models). */
  mask?: string;
  /** Extra special tokens with no role, e.g. protocol markers. */
  additional: string[];
}

/** Names of the role fields of {@link SpecialTokenRoles}, with their transformers JSON keys. */
export const SPECIAL_TOKEN_ROLE_KEYS = {
  bos: 'bos_token',
  eos: 'eos_token',
  unk: 'unk_token',
  pad: 'pad_token',
  sep: 'sep_token',
  cls: 'cls_token',
  mask: 'mask_token',
} as const;

/** A role with a single token. */
export type SpecialTokenRole = keyof typeof SPECIAL_TOKEN_ROLE_KEYS;

/**
 * Reads special-token roles as transformers does: tokenizer_config.json wins, special_tokens_map.json
 * fills roles the config leaves empty, and the additional lists of both are merged.
 */
export function resolveSpecialTokenRoles(
  config: TokenizerConfigJson,
  specialTokensMap: SpecialTokensMapJson,
): SpecialTokenRoles {
  const roles: SpecialTokenRoles = { additional: [] };
  for (const [role, key] of Object.entries(SPECIAL_TOKEN_ROLE_KEYS) as [SpecialTokenRole, string][]) {
    const content =
      tokenContent(config[key] as SpecialTokenValue) ??
      tokenContent(specialTokensMap[key] as SpecialTokenValue);
    if (content !== undefined) roles[role] = content;
  }
  const additional = [
    ...(config.additional_special_tokens ?? []),
    ...(specialTokensMap.additional_special_tokens ?? []),
  ];
  for (const value of additional) {
    const content = tokenContent(value);
    if (content !== undefined && !roles.additional.includes(content)) roles.additional.push(content);
  }
  return roles;
}

/** Every token string that has a role or is listed as additional. */
export function allSpecialTokenContents(roles: SpecialTokenRoles): string[] {
  const contents = new Set<string>();
  for (const role of Object.keys(SPECIAL_TOKEN_ROLE_KEYS) as SpecialTokenRole[]) {
    const content = roles[role];
    if (content !== undefined) contents.add(content);
  }
  for (const content of roles.additional) contents.add(content);
  return [...contents];
}

/** The roles in special_tokens_map.json form. */
export function specialTokensMapOf(roles: SpecialTokenRoles): Record<string, string | string[]> {
  const map: Record<string, string | string[]> = {};
  for (const [role, key] of Object.entries(SPECIAL_TOKEN_ROLE_KEYS) as [SpecialTokenRole, string][]) {
    const content = roles[role];
    if (content !== undefined) map[key] = content;
  }
  if (roles.additional.length > 0) map['additional_special_tokens'] = [...roles.additional];
  return map;
}

function tokenContent(value: SpecialTokenValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  const content = typeof value === 'string' ? value : value.content;
  return content === '' ? undefined : content;
}
