import { packageConfig } from '../../tooling/tsup/package-config';

export default packageConfig();
