// Node-only helpers (file system, zlib, crypto): `@prune/mnist-pairs/node`. The root entry stays browser-safe.
export { loadMnist } from './loadMnist';
export type { LoadMnistOptions } from './loadMnist';
