import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
// By path: the kit depends on @trl/core and @trl/models, which this package must not install.
import { runReadmeSnippet } from '../../test-kit/src/readme';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('README usage snippet runs as written and prints what its comments say', async () => {
  const { logs } = await runReadmeSnippet({
    packageDir,
    packageName: '@trl/tools-calculator',
    section: '## Usage',
  });
  expect(logs).toEqual([['10.0'], ['20.0'], ['Error: division by zero'], ['12']]);
});
