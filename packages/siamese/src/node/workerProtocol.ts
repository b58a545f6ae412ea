import type { io } from '@tensorflow/tfjs-core';
import type { ExchangeLayout } from './gradientExchange';

/** Messages from the trainer to a gradient worker; each is answered in order. */
export type ToWorker =
  /** `inputs`: the shared batch (`batchInputsBuffer`) that each step's shard is read from. */
  | { type: 'init'; artifacts: io.ModelArtifacts; dropoutSeed: number; learningRate: number; exchange: ExchangeLayout; inputs: SharedArrayBuffer; index: number }
  /**
   * One optimiser step on pairs [from, to) of the shared batch (none when the batch has fewer pairs than
   * replicas), with the batch size and how many replicas got pairs.
   */
  | { type: 'step'; from: number; to: number; total: number; contributors: number }
  | { type: 'weights' };

/** Answers of a gradient worker; `stepped` gives the replica's share of the batch loss and the pairs it got right. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'stepped'; loss: number; correct: number }
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'error'; message: string };
