import { packageConfig } from '../../tooling/tsup/package-config';

export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts'], typesEntry: 'src/index.ts' });
