import { z } from 'zod';

/**
 * Settings of the {@link PythonInterpreter} tool, validated with zod. Every field is optional;
 * the defaults suit short snippets written by a model during an RL episode.
 */
export const pythonInterpreterConfigSchema = z
  .object({
    /** Where code runs: `pyodide` (WebAssembly in worker threads, default) or `subprocess` (system python3, weaker isolation). */
    backend: z.enum(['pyodide', 'subprocess']).default('pyodide'),
    /** Interpreters kept warm (pyodide) or concurrent processes allowed (subprocess); extra calls wait in a FIFO queue. */
    poolSize: z.number().int().min(1).max(64).default(1),
    /** Wall-clock budget of one call in milliseconds, queueing excluded. */
    timeoutMs: z.number().int().min(50).max(3_600_000).default(10_000),
    /** How long an interrupted interpreter may take to stop before its worker is killed and replaced. */
    interruptGraceMs: z.number().int().min(10).max(60_000).default(1_000),
    /** Memory cap in MiB: the WebAssembly heap of a pyodide worker, or the address space of a python3 process. */
    memoryLimitMb: z.number().int().min(64).max(4_096).default(256),
    /** Longest answer returned, in characters; longer output keeps its head and tail around a truncation marker. */
    maxOutputChars: z.number().int().min(100).max(10_000_000).default(10_000),
    /** Keep globals (and files) between calls, like a notebook. Needs `poolSize: 1` and the pyodide backend. */
    session: z.boolean().default(false),
    /** Append the value of a final bare expression as `Out: <repr>`, like a REPL. */
    returnLastExpression: z.boolean().default(false),
    /** python3 executable for the subprocess backend (looked up on PATH once, then run by absolute path). */
    pythonPath: z.string().min(1).default('python3'),
    /** prlimit executable for the subprocess backend; that backend refuses to run without it. */
    prlimitPath: z.string().min(1).default('prlimit'),
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
    if (config.session && config.backend !== 'pyodide') {
      context.addIssue({
        code: 'custom',
        path: ['session'],
        message: "session: true needs backend 'pyodide' (each subprocess call starts a fresh python3)",
      });
    }
  });

/** Options accepted by the {@link PythonInterpreter} constructor (all optional). */
export type PythonInterpreterOptions = z.input<typeof pythonInterpreterConfigSchema>;

/** {@link PythonInterpreterOptions} with every default filled in. */
export type PythonInterpreterConfig = z.output<typeof pythonInterpreterConfigSchema>;

/** Validates options, filling in defaults; throws an Error naming each bad field and the fix. */
export function resolvePythonInterpreterConfig(
  options: PythonInterpreterOptions = {},
): PythonInterpreterConfig {
  const parsed = pythonInterpreterConfigSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `'${issue.path.join('.') || '(options)'}': ${issue.message}`,
  );
  throw new Error(`PythonInterpreter: invalid options: ${problems.join('; ')}`);
}
