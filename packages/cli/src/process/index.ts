/**
 * `@prune/cli/process`: process helpers shared by the project's commands (Node only). A command parses its
 * arguments or exits 2 with the message, and learns when whoever launched it is gone.
 *
 * @packageDocumentation
 */
export { ConfigError } from '../configError';
export { parseOrExitCode } from './parseOrExitCode';
export { userCwd } from './userCwd';
export { watchLauncher } from './watchLauncher';
