/**
 * `@prune/cli/process`: process helpers shared by the project's commands (Node only). A command parses its
 * arguments or exits 2 with the message, learns when whoever launched it is gone, and shows its progress.
 *
 * @packageDocumentation
 */
export { ConfigError } from '../configError';
export { parseOrExitCode } from './parseOrExitCode';
export { userCwd } from './userCwd';
export { watchLauncher } from './watchLauncher';
export { createProgress, formatDuration } from './createProgress';
export type { Progress, ProgressSink, ProgressStream, ProgressTask } from './createProgress';
export { progressOption } from './progressOption';
export type { ProgressMode } from './progressOption';
