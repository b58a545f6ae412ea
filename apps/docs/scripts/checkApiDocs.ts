// Run by `pnpm --filter @prune/docs build` before typedoc: the build fails on an undocumented export or an
// example that does not compile.
import { checkApiDocs } from './apiDocs';

process.exitCode = checkApiDocs() > 0 ? 1 : 0;
