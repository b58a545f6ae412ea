import type { Progress } from '@prune/cli/process';

/** What every stage reports through and stops on. */
export interface StageContext {
  progress: Progress;
  /** Aborting (Ctrl-C, SIGTERM) stops training between batches and the run between stages. */
  signal: AbortSignal;
}

/** Pairs per forward pass outside training (statistics, sweep, evaluation). */
export const EVAL_BATCH = 500;

/** Throws the abort reason once the run has been interrupted. */
export function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

/** ` (seed 3, 1/2)` when the run has several seeds, else empty: appended to progress lines. */
export function seedTag(seed: number, index: number, count: number): string {
  return count > 1 ? ` (seed ${seed}, ${index + 1}/${count})` : '';
}
