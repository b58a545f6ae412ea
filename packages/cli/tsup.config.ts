import { libraryBuild } from '../../tsup.shared';

// ESM only: the command (dist/cli.js, with its shebang kept) and the programmatic API.
export default libraryBuild({ entry: ['src/index.ts', 'src/node/index.ts', 'src/process/index.ts', 'src/cli.ts'], format: ['esm'] });
