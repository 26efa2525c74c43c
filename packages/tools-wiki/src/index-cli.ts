import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { buildIndex } from './build-index';

/** Where the CLI writes; injectable so tests can capture it. */
export interface CliOutput {
  /** Normal output (the summary line). */
  stdout: (text: string) => void;
  /** Progress and errors. */
  stderr: (text: string) => void;
}

const defaultOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs `trl-wiki-index` with `argv` (the arguments after the program name) and resolves to the
 * exit code: 0 on success, 1 on a build error, 2 on bad usage. Never calls `process.exit`.
 */
export async function runIndexCli(
  argv: readonly string[],
  output: CliOutput = defaultOutput,
): Promise<number> {
  const program = new Command('trl-wiki-index')
    .description(
      'Build an SQLite FTS5 BM25 passage index from a JSONL corpus ({"id","title","text"} per line).',
    )
    .requiredOption('-i, --input <corpus.jsonl>', 'JSONL corpus to index')
    .requiredOption('-o, --output <index.db>', 'SQLite index to write (replaced atomically)')
    .option('--title-weight <number>', 'BM25 weight of titles relative to text', parsePositiveNumber, 2)
    .option('-q, --quiet', 'no progress output')
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<{ input: string; output: string; titleWeight: number; quiet?: boolean }>();
  try {
    const result = await buildIndex({
      input: options.input,
      output: options.output,
      titleWeight: options.titleWeight,
      onProgress: options.quiet ? undefined : (passages) => output.stderr(`indexed ${passages} passages\n`),
    });
    output.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    output.stderr(`trl-wiki-index: ${(error as Error).message}\n`);
    return 1;
  }
}

function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}
