// `@prune/backend/optimizers`: the optimisers alone. The root entry loads @tensorflow/tfjs-backend-wasm, whose
// import registers the wasm backend; a library that only trains (e.g. @prune/siamese) imports this entry instead.
export { FusedAdamOptimizer, type NamedTensor } from './FusedAdamOptimizer';
