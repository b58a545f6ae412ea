// Node-only helpers: file save/load for any tfjs model. Browser code imports '@prune/core' only.
export { fileSystem, MODEL_JSON, WEIGHTS_BIN } from './fileSystem';
