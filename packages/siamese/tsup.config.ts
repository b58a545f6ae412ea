import { libraryBuild } from '../../tsup.shared';

// The gradient worker is its own file, found next to the node entry at run time (shims give CJS import.meta.url).
export default libraryBuild({ entry: ['src/index.ts', 'src/node/index.ts', 'src/node/gradientWorker.ts'], shims: true });
