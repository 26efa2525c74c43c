#!/usr/bin/env node
// Sums every package's vitest JSON report into one closing line, "N passed, N failed", so CI
// (and a person) sees the whole suite's count at once. Exits non-zero when anything failed or
// when no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'examples'];
let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root)) {
    const report = join(root, name, '.vitest-result.json');
    if (!existsSync(report)) continue;
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    perPackage.push(`${root}/${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
for (const line of perPackage) console.log(`  ${line}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0 || passed === 0) process.exit(1);
