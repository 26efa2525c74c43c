#!/usr/bin/env node
// A package's `typecheck`: `tsc --noEmit -p tsconfig.json` plus every ```ts block of its README.md, in
// one program so the snippets cost almost nothing extra. Each snippet is checked as a module placed in
// the package directory, so `import … from '@trl/this-package'` resolves to the package's own sources
// (the `@trl/source` condition) and other packages as the package itself sees them. Errors in a
// snippet are reported at their line in README.md.
//
//   cd packages/<name> && node ../../tooling/scripts/typecheck.mjs
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const cwd = process.cwd();
const configPath = join(cwd, 'tsconfig.json');
const parsed = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      console.error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      process.exit(2);
    },
  },
);
if (!parsed) process.exit(2);

/** README snippets by virtual file name, with the README line their first line is on. */
const snippets = new Map();
const readmePath = join(cwd, 'README.md');
if (existsSync(readmePath)) {
  const readme = readFileSync(readmePath, 'utf8');
  for (const match of readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    const line = readme.slice(0, match.index).split('\n').length + 1;
    // `export {}` makes a snippet without imports a module too (top-level await, no global clashes).
    snippets.set(resolve(cwd, `README.md.snippet-line-${line}.ts`), {
      line,
      text: `${match[1]}export {};\n`,
    });
  }
}

const host = ts.createCompilerHost(parsed.options);
const { fileExists, readFile, getSourceFile } = host;
host.fileExists = (file) => snippets.has(resolve(file)) || fileExists.call(host, file);
host.readFile = (file) => snippets.get(resolve(file))?.text ?? readFile.call(host, file);
host.getSourceFile = (file, languageVersion, ...rest) => {
  const snippet = snippets.get(resolve(file));
  if (snippet) return ts.createSourceFile(file, snippet.text, languageVersion, true);
  return getSourceFile.call(host, file, languageVersion, ...rest);
};

const program = ts.createProgram({
  rootNames: [...parsed.fileNames, ...snippets.keys()],
  options: { ...parsed.options, noEmit: true },
  projectReferences: parsed.projectReferences,
  host,
});
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const diagnostic of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const file = diagnostic.file;
  if (!file || diagnostic.start === undefined) {
    console.error(`error TS${diagnostic.code}: ${message}`);
    continue;
  }
  const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start);
  const snippet = snippets.get(resolve(file.fileName));
  const where = snippet
    ? `README.md(${snippet.line + line},${character + 1}) [snippet]`
    : `${file.fileName.replace(`${cwd}/`, '')}(${line + 1},${character + 1})`;
  console.error(`${where}: error TS${diagnostic.code}: ${message}`);
}
if (diagnostics.length > 0) process.exit(1);
