/**
 * Runs `work`, then `cleanUp` (told whether the work failed), like try/finally but without letting a cleanup error
 * mask the work's: when both throw, the work's error is thrown with the cleanup's as its `cause` (or, when it has a
 * cause already, added to its `suppressed` list). Freeing tensors can fail after a failure inside a backend (a wasm
 * heap out of memory), and the first error is the one that says what went wrong.
 *
 * @param work - the work; its result is returned.
 * @param cleanUp - frees what the work holds; `failed` says whether the work threw.
 * @returns What `work` returned.
 *
 * @example
 * ```ts
 * import { cleanUpAfter } from '@prune/activations';
 *
 * const failing = cleanUpAfter(
 *   async () => { throw new Error('wasm: out of memory'); },
 *   () => { throw new Error('dispose failed'); },
 * );
 * await failing.catch((e: Error) => console.log(e.message, (e.cause as Error).message));
 * // wasm: out of memory dispose failed
 * ```
 */
export async function cleanUpAfter<T>(work: () => Promise<T>, cleanUp: (failed: boolean) => void): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    try {
      cleanUp(true);
    } catch (cleanupError) {
      attach(error, cleanupError);
    }
    throw error;
  }
  cleanUp(false);
  return result;
}

function attach(error: unknown, cleanupError: unknown): void {
  if (!(error instanceof Error)) return;
  if (error.cause === undefined) error.cause = cleanupError;
  else ((error as Error & { suppressed?: unknown[] }).suppressed ??= []).push(cleanupError);
}

/**
 * Disposes every tensor (or model), also after one fails to (freeing as much as can be freed), then throws the first
 * error.
 *
 * @param tensors - what to dispose: anything with `dispose()`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { disposeEach } from '@prune/activations';
 *
 * disposeEach([tf.zeros([2]), tf.ones([3])]); // both freed
 * ```
 */
export function disposeEach(tensors: readonly { dispose(): void }[]): void {
  let first: { error: unknown } | undefined;
  for (const tensor of tensors) {
    try {
      tensor.dispose();
    } catch (error) {
      first ??= { error };
    }
  }
  if (first) throw first.error;
}
