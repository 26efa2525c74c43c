import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { splitParagraphs } from './paragraphs';
import { type PassageRecord, passageId } from './passage';

/** One line of a corpus JSONL file: an article. */
export interface CorpusRow {
  /** Unique article id; numbers are accepted and turned into strings. */
  readonly id: string;
  /** Article title, searched with extra weight. */
  readonly title: string;
  /** Article body; blank lines separate paragraphs. */
  readonly text: string;
}

const corpusRowSchema = z.object({
  id: z.union([z.string().min(1), z.number().finite()]).transform(String),
  title: z.string(),
  text: z.string(),
});

/**
 * Streams the articles of a JSONL corpus (`{"id", "title", "text"}` per line) without loading the
 * file into memory. Blank lines are skipped. Throws an Error naming the file and line for a
 * missing file, invalid JSON or a row without the three fields.
 */
export async function* readCorpusRows(path: string): AsyncGenerator<CorpusRow> {
  await assertFileExists(path, 'corpus');
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TrlError('invalid-file', `${path}:${lineNumber}: invalid JSON (${(error as Error).message})`);
    }
    const row = corpusRowSchema.safeParse(value);
    if (!row.success) {
      const issue = row.error.issues[0]!;
      const field = issue.path.join('.') || 'row';
      throw new TrlError(
        'invalid-file',
        `${path}:${lineNumber}: field '${field}': ${issue.message}; each line must be {"id", "title", "text"}`,
      );
    }
    yield row.data;
  }
}

/** Streams the passages (one per paragraph) of a JSONL corpus; see {@link readCorpusRows}. */
export async function* readCorpusPassages(path: string): AsyncGenerator<PassageRecord> {
  for await (const row of readCorpusRows(path)) {
    yield* rowPassages(row);
  }
}

/** The passages of one article: one per paragraph, ids `<article id>#<paragraph index>`. */
export function rowPassages(row: CorpusRow): PassageRecord[] {
  return splitParagraphs(row.text).map((text, index) => ({
    id: passageId(row.id, index),
    articleId: row.id,
    title: row.title,
    text,
  }));
}

/** Throws a clear Error if `path` is not an existing file; `what` names it in the message. */
export async function assertFileExists(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new TrlError('file-not-found', `${what} file not found: ${path}`);
  if (!info.isFile()) throw new TrlError('invalid-argument', `${what} path is not a file: ${path}`);
}
