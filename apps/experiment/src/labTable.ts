/** The reference's table line for one K: `K= 1 | Test Acc=0.9620`. */
export function labTableLine(k: number, accuracy: number): string {
  return `K=${String(k).padStart(2)} | Test Acc=${accuracy.toFixed(4)}`;
}

/** The reference's table for K = 1 … C-1 from accuracies indexed by K (index 0 = unpruned, not printed). */
export function labTable(accuracy: readonly number[]): string {
  return accuracy
    .slice(1)
    .map((a, i) => labTableLine(i + 1, a))
    .join('\n');
}
