export { runPrune, loadModel } from './runPrune';
export type { RunOptions } from './runPrune';
export { parseArgs, createProgram, parseTarget, ConfigError } from './parseArgs';
export type { Preprocess, PruneConfig, TargetSpec } from './parseArgs';
export type { LatencyReport, RunReport } from './runReport';
export { reportLines } from './runReport';
export { createProgress } from './progress';
export type { Progress } from './progress';
