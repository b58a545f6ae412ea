import { libraryBuild } from '../../tsup.shared';

export default libraryBuild({ entry: ['src/index.ts', 'src/node/index.ts'] });
