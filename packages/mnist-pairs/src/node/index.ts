/**
 * `@prune/mnist-pairs/node`: Node-only helpers (file system, zlib, crypto), loading MNIST from files. The root
 * entry, `@prune/mnist-pairs`, stays browser-safe.
 *
 * @packageDocumentation
 */
export { loadMnist } from './loadMnist';
export type { LoadMnistOptions } from './loadMnist';
