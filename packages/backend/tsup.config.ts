import { libraryBuild } from '../../tsup.shared';

// shims: import.meta.url in the CJS build (startThreadedWasmInNode resolves tfjs-backend-wasm's files with it).
export default libraryBuild({ shims: true });
