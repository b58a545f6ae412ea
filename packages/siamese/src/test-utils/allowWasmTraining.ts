import { env } from '@tensorflow/tfjs-core';

/**
 * Turns off tfjs's IS_TEST kernel leak check for a test file that trains. On wasm it misreports fused ops under a
 * gradient tape as leaking: the tensors they save for backprop are cloned, and wasm's Identity copies the data.
 */
export function allowWasmTraining(): void {
  env().set('IS_TEST', false);
}
