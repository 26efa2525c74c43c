import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README half of the kit: runs a package README's TypeScript snippet as written. Like the fixture
 * module it imports nothing from the workspace, so `@trl/models` (a dependency of the kit) can use it by
 * relative path.
 */

/** Where the snippet is and what to rewrite before running it. */
export interface ReadmeSnippetOptions {
  /** The package directory holding `README.md`, `src/index.ts` and `test/`. */
  packageDir: string;
  /** The package name the snippet imports (`@trl/ppo`); pointed at `src/index.ts` so the sources run. */
  packageName: string;
  /** Heading the snippet follows (`## GPT-2`); the README's first ```ts block when omitted. */
  section?: string;
  /** Paths (or any text) the snippet writes to, each replaced by a folder inside a scratch directory. */
  scratchPaths?: readonly string[];
}

/** What running the snippet produced. */
export interface ReadmeSnippetRun {
  /** The snippet as it stands in the README. */
  snippet: string;
  /** The arguments of every `console.log` call, in order. */
  logs: unknown[][];
}

/** The first ```ts block of `readme` after `section` (or anywhere when omitted). */
export function readmeSnippet(readme: string, section?: string): string {
  const start = section === undefined ? 0 : readme.indexOf(section);
  if (start < 0) throw new Error(`README: no section ${JSON.stringify(section)}.`);
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  if (snippet === undefined) throw new Error(`README: no \`\`\`ts block after ${section ?? 'the start'}.`);
  return snippet;
}

/**
 * Runs a README snippet from a scratch folder inside the package's `test/` (so vitest's TypeScript
 * transform applies), with the package name pointing at its sources, and captures `console.log`.
 * Throws when the module did not run to its end; the scratch folder is removed either way.
 */
export async function runReadmeSnippet(options: ReadmeSnippetOptions): Promise<ReadmeSnippetRun> {
  const { packageDir, packageName } = options;
  const snippet = readmeSnippet(readFileSync(join(packageDir, 'README.md'), 'utf8'), options.section);
  const dir = mkdtempSync(join(packageDir, 'test', '.readme-'));
  const file = join(dir, 'snippet.ts');
  let source = snippet.replace(
    `from '${packageName}'`,
    `from ${JSON.stringify(join(packageDir, 'src', 'index.ts'))}`,
  );
  (options.scratchPaths ?? []).forEach((path, index) => {
    source = source.replaceAll(path, join(dir, `scratch-${index}`));
  });
  writeFileSync(file, `${source}\nexport const ran = true;\n`);
  const logs: unknown[][] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => logs.push(args);
  try {
    const module = (await import(/* @vite-ignore */ file)) as { ran?: boolean };
    if (module.ran !== true) throw new Error(`README snippet of ${packageName} did not run to its end.`);
  } finally {
    console.log = original;
    rmSync(dir, { recursive: true, force: true });
  }
  return { snippet, logs };
}
