import { TrlError } from '@trl/core';

/**
 * Reads the flat YAML TRL's example configs use (`key: value` lines, `#` comments, `[a, b]` or `- item`
 * lists, quoted or bare scalars). Nested mappings and multi-line strings are refused with the line number;
 * write such configs as JSON.
 */
export function parseFlatYaml(text: string, source: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let openList: unknown[] | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = stripComment(raw);
    if (line.trim() === '' || line.trim() === '---') return;
    const where = `${source}:${index + 1}`;
    const item = /^\s+-\s+(.*)$|^-\s+(.*)$/.exec(line);
    if (item) {
      if (!openList)
        throw new TrlError('invalid-config-file', `${where}: a list item without a key above it.`);
      openList.push(scalar(item[1] ?? item[2] ?? '', where));
      return;
    }
    if (/^\s/.test(line))
      throw new TrlError(
        'invalid-config-file',
        `${where}: nested YAML is not supported; use a flat key: value file or JSON.`,
      );
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!pair)
      throw new TrlError(
        'invalid-config-file',
        `${where}: expected "key: value", got ${JSON.stringify(raw.trim())}.`,
      );
    const key = (pair[1] as string).replace(/[-_]([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const value = (pair[2] as string).trim();
    if (value === '') {
      openList = [];
      result[key] = openList;
      return;
    }
    openList = undefined;
    if (value === '|' || value === '>')
      throw new TrlError('invalid-config-file', `${where}: multi-line strings are not supported; use JSON.`);
    result[key] = value.startsWith('[') ? list(value, where) : scalar(value, where);
  });
  return result;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (index === 0 || /\s/.test(line[index - 1] ?? ''))) return line.slice(0, index);
  }
  return line;
}

function list(value: string, where: string): unknown[] {
  if (!value.endsWith(']'))
    throw new TrlError('invalid-config-file', `${where}: an inline list must end with "]".`);
  const body = value.slice(1, -1).trim();
  return body === '' ? [] : body.split(',').map((part) => scalar(part.trim(), where));
}

function scalar(value: string, where: string): unknown {
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value);
    } catch {
      throw new TrlError('invalid-config-file', `${where}: unterminated or invalid double-quoted string.`);
    }
  }
  if (value.startsWith("'")) {
    if (!value.endsWith("'") || value.length < 2)
      throw new TrlError('invalid-config-file', `${where}: unterminated single-quoted string.`);
    return value.slice(1, -1).replace(/''/g, "'");
  }
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  if (/^(null|~|Null|NULL)$/.test(value)) return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  return value;
}
