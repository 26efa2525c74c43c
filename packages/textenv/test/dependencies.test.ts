import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

// @trl/core is a dev dependency here (the GPT-2 tests need a real model and backend), so an import
// of it from src would type-check and pass the tests, then fail for every user, who does not get dev
// dependencies. This keeps the source on @trl/spec.
it('src imports @trl/spec, never @trl/core', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  expect(Object.keys(manifest.dependencies)).not.toContain('@trl/core');
  const offenders = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .filter((file) => /from '@trl\/core'/.test(readFileSync(join(root, 'src', file), 'utf8')));
  expect(offenders).toEqual([]);
});
