// One replica of gradientExchange's test in a worker thread: exchanges the gradients it is given, step by step, and
// posts back every sum it got. Some steps it dawdles first, so that replicas arrive in changing orders.
import { parentPort, workerData } from 'node:worker_threads';
import { GradientExchange, type ExchangeLayout } from '../node/gradientExchange';

export interface ExchangeReplicaData {
  layout: ExchangeLayout;
  index: number;
  /** Per step: this replica's gradients (one array per variable), or null when it has no share. */
  gradients: (Float32Array[] | null)[];
  contributors: number[];
  /** Per step: milliseconds to wait before the exchange. */
  delays: number[];
}

const { layout, index, gradients, contributors, delays } = workerData as ExchangeReplicaData;
const exchange = new GradientExchange(layout, index);
const pause = new Int32Array(new SharedArrayBuffer(4));
const sums = gradients.map((own, step) => {
  if (delays[step]! > 0) Atomics.wait(pause, 0, 0, delays[step]);
  const write = own ? (slot: readonly Float32Array[]) => slot.forEach((s, v) => s.set(own[v]!)) : undefined;
  return exchange.exchange(write, contributors[step]!).map((sum) => sum.slice()); // the views are reused next step
});
parentPort!.postMessage(sums);
