/**
 * `@prune/core/node`: Node-only helpers, saving and loading any tfjs model as files. Browser code imports
 * `@prune/core` only.
 *
 * @packageDocumentation
 */
export { fileSystem, MODEL_JSON, WEIGHTS_BIN } from './fileSystem';
