import type { z } from 'zod';

/** How a config field is written on the command line. */
export type FieldKind = 'number' | 'boolean' | 'string' | 'enum' | 'json';

/** One config field as the CLI sees it. */
export interface CliField {
  /** camelCase config key, e.g. `learningRate`. */
  key: string;
  /** The flag, e.g. `--learning-rate`. */
  flag: string;
  /** How the value is parsed. */
  kind: FieldKind;
  /** Allowed values of an enum (or of an array of enums). */
  choices?: readonly string[];
  /** An array of strings or enum values: a comma-separated list is accepted as well as JSON. */
  list?: boolean;
  /** The default, when the schema has one. */
  defaultValue?: unknown;
  /** Whether the field must be given (no default, not optional). */
  required: boolean;
}

interface ZodDef {
  type: string;
  innerType?: { _zod: { def: ZodDef } };
  element?: { _zod: { def: ZodDef } };
  defaultValue?: unknown;
  entries?: Record<string, string>;
}

const defOf = (schema: unknown): ZodDef => (schema as { _zod: { def: ZodDef } })._zod.def;

/** `learningRate` → `learning-rate`. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** Reads the CLI shape of every field of a zod object schema (defaults, optionality, kinds). */
export function cliFields(schema: z.ZodObject): CliField[] {
  return Object.entries(schema.shape).map(([key, field]) => {
    let def = defOf(field);
    let defaultValue: unknown;
    let required = true;
    while (def.type === 'default' || def.type === 'optional') {
      if (def.type === 'default')
        defaultValue = typeof def.defaultValue === 'function' ? undefined : def.defaultValue;
      required = false;
      def = defOf(def.innerType);
    }
    const base = { key, flag: `--${kebabCase(key)}`, defaultValue, required };
    if (def.type === 'number') return { ...base, kind: 'number' as const };
    if (def.type === 'boolean') return { ...base, kind: 'boolean' as const };
    if (def.type === 'string') return { ...base, kind: 'string' as const };
    if (def.type === 'enum')
      return { ...base, kind: 'enum' as const, choices: Object.values(def.entries ?? {}) };
    const element = def.type === 'array' && def.element ? defOf(def.element) : undefined;
    if (element?.type === 'enum') {
      return { ...base, kind: 'json' as const, list: true, choices: Object.values(element.entries ?? {}) };
    }
    if (element?.type === 'string') return { ...base, kind: 'json' as const, list: true };
    return { ...base, kind: 'json' as const };
  });
}

/**
 * Turns a flag's text into the value the schema expects: numbers, `true`/`false`, comma lists for
 * enum arrays, JSON for arrays and unions (plain text when it is not JSON). Invalid text is passed
 * on unchanged so zod reports it against the field.
 */
export function coerceFlag(field: CliField, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  if (field.kind === 'number') {
    const value = Number(raw);
    return raw.trim() !== '' && Number.isFinite(value) ? value : raw;
  }
  if (field.kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (field.kind === 'json') {
    if (field.list && !raw.trim().startsWith('[')) return raw.split(',').map((part) => part.trim());
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}
