import { readFile } from 'node:fs/promises';
import { parseJsonText } from '../tokenizer/tokenizer-files';

/** Reads and parses a JSON file; invalid JSON fails naming the file and the fix, not with a bare SyntaxError. */
export async function readJsonFile(path: string): Promise<unknown> {
  return parseJsonText(await readFile(path, 'utf8'), path);
}
