import { libraryBuild } from '../../tsup.shared';

// Two entries: the root and `./optimizers` (which must not load tfjs-backend-wasm). shims: import.meta.url in the
// CJS build (startThreadedWasmInNode resolves tfjs-backend-wasm's files with it).
export default libraryBuild({ entry: { index: 'src/index.ts', 'optimizers/index': 'src/optimizers/index.ts' }, shims: true });
