import type { BatchProgress } from '../trainSiamese';

/** Training options that abort with `new Error(message)` after the given batch, and the batches seen. */
export function abortAtBatch(batch: number, message: string): { signal: AbortSignal; onBatch: (p: BatchProgress) => void; seen: () => number } {
  const controller = new AbortController();
  let seen = 0;
  return {
    signal: controller.signal,
    onBatch: (p) => {
      seen++;
      if (p.batch === batch) controller.abort(new Error(message));
    },
    seen: () => seen,
  };
}
