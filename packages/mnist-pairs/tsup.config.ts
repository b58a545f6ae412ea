import { libraryBuild } from '../../tsup.shared';

// Two entries: the browser-safe root and `./node` (file system). shims: import.meta.url works in the CJS build too
// (the embedded-data resolver needs it).
export default libraryBuild({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' }, shims: true });
