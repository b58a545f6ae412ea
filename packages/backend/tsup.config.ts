import { libraryBuild } from '../../tsup.shared';

export default libraryBuild({ shims: true }) // import.meta.url in the CJS build (startThreadedWasmInNode);
