import type { io } from '@tensorflow/tfjs-core';
import type { ExchangeLayout } from './gradientExchange';

/** Messages from the trainer to a gradient worker; each is answered in order. */
export type ToWorker =
  | { type: 'init'; artifacts: io.ModelArtifacts; dropoutSeed: number; learningRate: number; exchange: ExchangeLayout; index: number }
  /** One optimiser step: this replica's shard (empty when the batch has fewer pairs than replicas), the batch size and how many replicas got pairs. */
  | { type: 'step'; left: Float32Array; right: Float32Array; labels: Float32Array; total: number; contributors: number }
  | { type: 'weights' };

/** Answers of a gradient worker; `stepped` gives the replica's share of the batch loss and the pairs it got right. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'stepped'; loss: number; correct: number }
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'error'; message: string };
