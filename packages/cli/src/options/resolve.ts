import { readFile } from 'node:fs/promises';
import { type ConfigIssue, TrlConfigError, TrlError, unknownKeyIssue } from '@trl/core';
import type { z } from 'zod';
import { parseFlatYaml } from './flat-yaml';
import { type CliField, cliFields, coerceFlag } from './zod-fields';

/** Reads a JSON or flat YAML (`.yaml`/`.yml`) config file into an object, naming the file in every error. */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrlError(
      'invalid-config-file',
      `--config ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
  if (/\.ya?ml$/i.test(path)) return parseFlatYaml(text, `--config ${path}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrlError(
      'invalid-config-file',
      `--config ${path}: not valid JSON (${(error as Error).message}).`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TrlError(
      'invalid-config-file',
      `--config ${path}: expected a JSON object of options, e.g. {"learningRate": 2e-5}.`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * The config a command runs with: the file's values, overridden by the flags given, validated by
 * `schema`. Unknown keys in the file are rejected by name with a did-you-mean (TRL's snake_case
 * names with their camelCase spelling); errors list every bad field.
 */
export async function resolveConfig<Schema extends z.ZodObject>(
  command: string,
  schema: Schema,
  flags: Record<string, unknown>,
): Promise<z.output<Schema>> {
  const fields = cliFields(schema);
  const byKey = new Map<string, CliField>(fields.map((field) => [field.key, field]));
  const fromFile = typeof flags.config === 'string' ? await readConfigFile(flags.config) : {};
  const known = fields.map((field) => field.key);
  const unknown = Object.keys(fromFile)
    .filter((key) => !byKey.has(key))
    .map((key) => unknownKeyIssue(key, key, known));
  if (unknown.length > 0) {
    throw new TrlConfigError(
      `trl ${command}`,
      unknown,
      `config file ${String(flags.config)} (see trl ${command} --help)`,
    );
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const field of fields) {
    const raw = flags[field.key];
    if (raw !== undefined) merged[field.key] = coerceFlag(field, raw as string | boolean);
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue): ConfigIssue => {
      const key = String(issue.path[0] ?? '');
      const flag = byKey.get(key)?.flag;
      const field = `${issue.path.join('.') || '(config)'}${flag ? ` (${flag})` : ''}`;
      return { code: 'invalid-value', field, message: issue.message };
    });
    throw new TrlConfigError(`trl ${command}`, issues, 'config');
  }
  return parsed.data;
}
