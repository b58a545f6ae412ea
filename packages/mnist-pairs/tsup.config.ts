import { libraryBuild } from '../../tsup.shared';

// shims: import.meta.url works in the CJS build too (the embedded-data resolver needs it).
export default libraryBuild({ shims: true });
