/**
 * Runs `work`, then `cleanUp` (told whether the work failed), like try/finally but without letting a cleanup error
 * mask the work's: when both throw, the work's error is thrown with the cleanup's as its `cause` (or, when it has a
 * cause already, added to its `suppressed` list). Freeing tensors can fail after a failure inside a backend (a wasm
 * heap out of memory), and the first error is the one that says what went wrong.
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

/** Disposes every tensor, also after one fails to (freeing as much as can be freed), then throws the first error. */
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
