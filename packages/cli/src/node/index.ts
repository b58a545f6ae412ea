/**
 * `@prune/cli/node`: the `prune` command's Node-only part (files, the backend), `runPrune` and `loadModel`.
 * The root entry, `@prune/cli`, holds what runs anywhere.
 *
 * @packageDocumentation
 */
export { runPrune, loadModel } from '../runPrune';
export type { RunOptions } from '../runPrune';
