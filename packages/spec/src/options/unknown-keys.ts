import type { z } from 'zod';
import type { ConfigIssue } from './errors';
import { camelCase, closestKey } from './suggest';

/** Extra advice for keys a config deliberately lacks, by camelCase name (`logWith: 'pass a Tracker'`). */
export type KeyHints = Readonly<Record<string, string>>;

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Wrappers that do not change which keys an object accepts. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function unwrap(schema: z.ZodType): ZodDef {
  let def = defOf(schema);
  for (;;) {
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    // A pipe validates its input side first, so that side's keys are the ones the caller writes.
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else return def;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The issue for one key the config does not have, with the likeliest intended key. */
export function unknownKeyIssue(
  field: string,
  key: string,
  known: readonly string[],
  hints: KeyHints = {},
): ConfigIssue {
  const camel = camelCase(key);
  const hint = hints[camel];
  if (hint !== undefined) return { code: 'unknown-option', field, message: `unknown option; ${hint}` };
  if (camel !== key && key.includes('_') && known.includes(camel)) {
    return {
      code: 'snake-case-option',
      field,
      message: `unknown option: that is TRL's Python spelling; trl-ts spells it ${camel}`,
      suggestion: camel,
    };
  }
  const suggestion = closestKey(key, known);
  if (suggestion !== undefined) {
    return {
      code: 'unknown-option',
      field,
      message: `unknown option; did you mean ${suggestion}?`,
      suggestion,
    };
  }
  return { code: 'unknown-option', field, message: `unknown option; valid options are ${known.join(', ')}` };
}

/**
 * Every key of `input` that `schema` would silently drop: keys missing from a zod object's shape,
 * at any depth. Objects built with `z.looseObject` (which keep extra keys on purpose) are skipped,
 * and so are unions, where it is unclear which branch's keys apply.
 */
export function findUnknownKeys(schema: z.ZodType, input: unknown, hints: KeyHints = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const visit = (node: z.ZodType, value: unknown, path: string[]): void => {
    const def = unwrap(node);
    if (def.type === 'object' && def.shape && isRecord(value)) {
      const known = Object.keys(def.shape);
      const strict = def.catchall === undefined || defOf(def.catchall).type === 'never';
      for (const key of Object.keys(value)) {
        const field = [...path, key].join('.');
        const child = Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
        if (child) visit(child, value[key], [...path, key]);
        else if (strict) issues.push(unknownKeyIssue(field, key, known, path.length === 0 ? hints : {}));
      }
    } else if (def.type === 'array' && def.element && Array.isArray(value)) {
      const element = def.element;
      value.forEach((item, index) => {
        visit(element, item, [...path, String(index)]);
      });
    }
  };
  visit(schema, input, []);
  return issues;
}

/** Like {@link findUnknownKeys} for options checked by hand against a list of keys. */
export function unknownKeysOf(input: unknown, known: readonly string[], hints: KeyHints = {}): ConfigIssue[] {
  if (!isRecord(input)) return [];
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => unknownKeyIssue(key, key, known, hints));
}

/**
 * Hints for keys that belong one level down, e.g. a training argument written next to `model`
 * instead of inside `args`: `learningRate` → "a field of args; write args: { learningRate }".
 */
export function nestedKeyHints(keys: readonly string[], container: string): KeyHints {
  return Object.fromEntries(
    keys.map((key) => [key, `${key} is a field of ${container}; write ${container}: { ${key}: … }`]),
  );
}
