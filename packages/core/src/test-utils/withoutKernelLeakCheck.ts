import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` with tfjs's per-kernel leak check (IS_TEST) off: it reports fused wasm ops run under gradient recording
 * (fusedConv2d, fusedMatMul inside customGrad) although nothing stays allocated; tests check tf.memory() instead.
 */
export async function withoutKernelLeakCheck<T>(fn: () => Promise<T>): Promise<T> {
  const previous = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
  try {
    return await fn();
  } finally {
    tf.env().set('IS_TEST', previous);
  }
}
