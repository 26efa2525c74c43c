import { TrlError } from '@trl/spec';
import { z } from 'zod';

/**
 * Settings of the {@link PythonInterpreter} tool, validated with zod. Every field is optional;
 * the defaults suit short snippets written by a model during an RL episode.
 */
export const pythonInterpreterConfigSchema = z
  .object({
    /** Sandbox processes kept warm, each running one call at a time; extra calls wait in a FIFO queue. */
    poolSize: z.number().int().min(1).max(64).default(1),
    /** Wall-clock budget of one call in milliseconds, queueing excluded. */
    timeoutMs: z.number().int().min(50).max(3_600_000).default(10_000),
    /** How long an interrupted interpreter may take to stop before its process is killed and replaced. */
    interruptGraceMs: z.number().int().min(10).max(60_000).default(1_000),
    /** Memory cap in MiB of each interpreter's WebAssembly heap (enforced by the engine of its process). */
    memoryLimitMb: z.number().int().min(64).max(4_096).default(256),
    /** Longest answer returned, in characters; longer output keeps its head and tail around a truncation marker. */
    maxOutputChars: z.number().int().min(100).max(10_000_000).default(10_000),
    /** Keep globals (and files) between calls, like a notebook, instead of a clean interpreter per call. Needs `poolSize: 1`. */
    session: z.boolean().default(false),
    /** Append the value of a final bare expression as `Out: <repr>`, like a REPL. */
    returnLastExpression: z.boolean().default(false),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.session && config.poolSize !== 1) {
      context.addIssue({
        code: 'custom',
        path: ['session'],
        message: 'session: true keeps state in a single interpreter; set poolSize: 1',
      });
    }
  });

/** Options accepted by the {@link PythonInterpreter} constructor (all optional). */
export type PythonInterpreterOptions = z.input<typeof pythonInterpreterConfigSchema>;

/** {@link PythonInterpreterOptions} with every default filled in. */
export type PythonInterpreterConfig = z.output<typeof pythonInterpreterConfigSchema>;

/** Options of the removed subprocess backend, named in the error so that old code gets a clear fix. */
const REMOVED_OPTIONS = ['backend', 'pythonPath', 'prlimitPath'] as const;

/** Validates options, filling in defaults; throws an Error naming each bad field and the fix. */
export function resolvePythonInterpreterConfig(
  options: PythonInterpreterOptions = {},
): PythonInterpreterConfig {
  for (const removed of REMOVED_OPTIONS) {
    if (options && typeof options === 'object' && removed in options) {
      throw new TrlError(
        'unsupported-option',
        `PythonInterpreter: option '${removed}' was removed with the subprocess backend, which could not be confined like the Pyodide sandbox; drop it (every call now runs in a confined sandbox process)`,
      );
    }
  }
  const parsed = pythonInterpreterConfigSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `'${issue.path.join('.') || '(options)'}': ${issue.message}`,
  );
  throw new TrlError('invalid-value', `PythonInterpreter: invalid options: ${problems.join('; ')}`);
}
