import { z } from 'zod';

/** Parses `value` with `schema`, turning a validation failure into an Error that names `owner` and the field. */
export function parseOptions<Schema extends z.ZodType>(
  owner: string,
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new Error(`${owner}: invalid options: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
