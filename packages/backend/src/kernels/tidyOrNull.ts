import { tidy, type Tensor } from '@tensorflow/tfjs-core';

/** Runs `f` in a tidy and keeps the tensor it gives; null, with nothing kept, where it gives none. */
export function tidyOrNull<T extends Tensor>(f: () => T | null): T | null {
  const out = tidy(() => f() ?? []); // tidy keeps what it returns, and [] holds nothing
  return Array.isArray(out) ? null : (out as T);
}
