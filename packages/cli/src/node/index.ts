// The command's Node-only part (files, the backend): the root entry holds what runs anywhere.
export { runPrune, loadModel } from '../runPrune';
export type { RunOptions } from '../runPrune';
