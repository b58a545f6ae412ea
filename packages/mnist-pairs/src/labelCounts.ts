import { NUM_CLASSES } from './constants';

/** How many times each digit 0 … 9 occurs in a label array. */
export function labelCounts(labels: Uint8Array): Int32Array {
  const counts = new Int32Array(NUM_CLASSES);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}
