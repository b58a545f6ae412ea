/**
 * `@prune/siamese/node`: training on every core of a Node machine, with model replicas in worker threads.
 * Browser code imports `@prune/siamese` only.
 *
 * @packageDocumentation
 */
export { trainSiameseParallel } from './trainSiameseParallel';
export type { ParallelTrainOptions } from './trainSiameseParallel';
