import type { ReferenceRecord } from '@prune/report';
import type { RunConfig } from './runConfigSchema.js';

/** Accuracy points published by the lab's report (one PyTorch run): K conv2 channels pruned, test pair accuracy. */
export const REFERENCE_ACCURACY: ReadonlyArray<{ k: number; accuracy: number }> = [
  { k: 1, accuracy: 0.962 },
  { k: 4, accuracy: 0.945 },
  { k: 8, accuracy: 0.9305 },
  { k: 16, accuracy: 0.9325 },
  { k: 24, accuracy: 0.877 },
  { k: 28, accuracy: 0.787 },
  { k: 31, accuracy: 0.5345 },
];

/**
 * The lab's published points for results.json, for a run on the lab's configuration (embedded data, its fractions,
 * pairs and epochs, layer conv2, ranked on the test set); null otherwise, where they are not comparable.
 */
export function labReference(c: RunConfig): ReferenceRecord | null {
  const isLab = c.data === null && c.trainFraction === 0.1 && c.testFraction === 0.1 && c.trainPairs === 10000 && c.testPairs === 2000 && c.epochs === 10 && c.layer === 'conv2' && c.calibration === 'test';
  return isLab ? { label: 'lab report (PyTorch, one run)', points: REFERENCE_ACCURACY.map((p) => ({ ...p })) } : null;
}
