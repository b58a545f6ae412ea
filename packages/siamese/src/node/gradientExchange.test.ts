import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { ExchangeReplicaData } from '../test-utils/exchangeReplica';
import { checkExchangeLayout, GradientExchange, gradientExchangeLayout } from './gradientExchange';

const SHAPES = [[3, 4], [5], [2, 2, 2]];
const SIZES = [12, 5, 8];

/** Runs the test replica in a worker thread from sources, as spawnGradientWorker does. */
function replicaThread(data: ExchangeReplicaData): Promise<Float32Array[][]> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = new URL('../test-utils/exchangeReplica.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('message', (sums: Float32Array[][]) => void worker.terminate().then(() => resolve(sums)));
    worker.once('error', reject);
  });
}

/** Values of very different magnitudes, so that float sums in another order round differently. */
function gradientsOf(replica: number, step: number): Float32Array[] {
  return SIZES.map((size, v) => Float32Array.from({ length: size }, (_, i) => Math.sin(1 + replica * 97 + step * 13 + v * 7 + i) * 10 ** ((replica + i) % 4)));
}

/** The sum a trainer on one thread makes: slot 0, plus slot 1, plus …, each rounded to float32. */
function inOrderSum(parts: Float32Array[][]): Float32Array[] {
  return parts[0]!.map((first, v) => {
    const sum = first.slice();
    for (const part of parts.slice(1)) part[v]!.forEach((x, i) => (sum[i] = sum[i]! + x));
    return sum;
  });
}

const bits = (arrays: Float32Array[]) => arrays.map((a) => Array.from(new Uint32Array(a.slice().buffer)));

describe('GradientExchange', () => {
  it('gives every replica the in-order float sum of the contributing slots, step after step', async () => {
    const replicas = 3;
    const steps = 200;
    const layout = gradientExchangeLayout(SHAPES, replicas);
    const contributors = Array.from({ length: steps }, (_, s) => (s % 7 === 6 ? 2 : 3)); // a batch of 2 leaves one idle
    const expected = contributors.map((c, s) => inOrderSum(Array.from({ length: c }, (_, k) => gradientsOf(k, s))));
    const runs = Array.from({ length: replicas }, (_, index) =>
      replicaThread({
        layout,
        index,
        gradients: contributors.map((c, s) => (index < c ? gradientsOf(index, s) : null)),
        contributors,
        delays: contributors.map((_, s) => ((s * 5 + index * 3) % 11 === 0 ? 2 : 0)),
      }),
    );
    const sums = await Promise.all(runs);
    for (const perReplica of sums) {
      expect(perReplica).toHaveLength(steps);
      perReplica.forEach((sum, s) => expect(bits(sum)).toEqual(bits(expected[s]!)));
    }
    // The order matters: summed the other way round, some values round differently.
    const reversed = inOrderSum([2, 1, 0].map((k) => gradientsOf(k, 0)));
    expect(bits(reversed)).not.toEqual(bits(expected[0]!));
  });

  it('names the replica that did not arrive after the timeout', () => {
    const layout = gradientExchangeLayout(SHAPES, 3);
    new Int32Array(layout.phases)[1] = 1; // replica 1 wrote its gradients of step 1 (phase 2s + 1), replica 2 did not
    const waiting = new GradientExchange(layout, 0, 50);
    expect(() => waiting.exchange(undefined, 3)).toThrow(/training replica 0 gave up at step 1 after 0\.05 s: replica 2 did not arrive \(it has not written its gradients of step 1\)/);
  });

  it('fails at once when another replica abandons the step', () => {
    const layout = gradientExchangeLayout(SHAPES, 2);
    new GradientExchange(layout, 1).abandon();
    const started = performance.now();
    expect(() => new GradientExchange(layout, 0).exchange(undefined, 2)).toThrow('training replica 0 stopped at step 1: replica 1 failed');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses variables of another layout', () => {
    const layout = gradientExchangeLayout(SHAPES, 1);
    expect(() => checkExchangeLayout(layout, [[3, 4], [5], [2, 2, 2]])).not.toThrow();
    expect(() => checkExchangeLayout(layout, [[3, 4], [4], [2, 2, 2]])).toThrow('gradient exchange: variable 1 has 4 values, the exchange was laid out for 5');
    expect(() => checkExchangeLayout(layout, [[3, 4], [5]])).toThrow('gradient exchange: 2 variables, the exchange was laid out for 3');
  });
});
