import { selectBackend } from '@prune/backend';
import { describe, expect, it } from 'vitest';
import { trainOnEveryCore } from './trainOnEveryCore';

describe('training on every core (siamese guide)', () => {
  it('two replicas train, and the same seed and thread count give the same weights', async () => {
    await selectBackend('wasm', { threads: 1 });
    const a = await trainOnEveryCore(2);
    const b = await trainOnEveryCore(2);
    const one = await trainOnEveryCore(1);
    expect(a.history.replicas).toBe(2);
    expect(one.history.replicas).toBe(1);
    expect(a.history.epochs[2]!.loss).toBeLessThan(a.history.epochs[0]!.loss - 0.01); // it learns (past the plateau at chance)
    expect(b.weights).toEqual(a.weights);
    expect(one.weights).not.toEqual(a.weights); // other dropout masks and float sums: another thread count trains differently
  });
});
