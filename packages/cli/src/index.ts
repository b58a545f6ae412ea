/**
 * `@prune/cli`: the `prune` command's parts that run anywhere: parsing its command line into a checked config,
 * the report's printed lines, progress. Running the command from code is `@prune/cli/node`.
 *
 * @packageDocumentation
 */
export { parseArgs } from './parseArgs';
export { ConfigError } from './configError';
export type { Preprocess, PruneConfig, TargetSpec } from './parseArgs';
export type { LatencyReport, RunReport } from './runReport';
export { reportLines } from './runReport';
export { createProgress } from './progress';
export type { Progress } from './progress';
