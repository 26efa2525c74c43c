#!/usr/bin/env node
import { runIndexCli } from './index-cli';

// Entry point of the `trl-wiki-index` binary; all logic lives in index-cli.ts so tests can run it
// in-process.
runIndexCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trl-wiki-index: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
