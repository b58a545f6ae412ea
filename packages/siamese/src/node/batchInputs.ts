import { IMAGE_PIXELS } from '@prune/mnist-pairs';

/** A batch of pairs in shared memory: the trainer writes it, each replica reads its shard. */
export interface BatchInputs {
  /** Left images [capacity, 28, 28, 1]. */
  left: Float32Array;
  /** Right images [capacity, 28, 28, 1]. */
  right: Float32Array;
  /** Labels [capacity]. */
  labels: Float32Array;
}

/**
 * Shared memory for batches of up to `capacity` pairs, made once by the trainer and sent to every replica: the
 * pixels then cross to the worker threads without a copy or an allocation per step.
 *
 * @param capacity - the largest batch (the batch size).
 * @returns The buffer to send to every replica.
 */
export function batchInputsBuffer(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(capacity * (2 * IMAGE_PIXELS + 1) * Float32Array.BYTES_PER_ELEMENT);
}

/** Views of a {@link batchInputsBuffer}; the capacity is read off the buffer's size. */
export function batchInputsOf(buffer: SharedArrayBuffer): BatchInputs {
  const capacity = buffer.byteLength / ((2 * IMAGE_PIXELS + 1) * Float32Array.BYTES_PER_ELEMENT);
  const all = new Float32Array(buffer);
  return {
    left: all.subarray(0, capacity * IMAGE_PIXELS),
    right: all.subarray(capacity * IMAGE_PIXELS, 2 * capacity * IMAGE_PIXELS),
    labels: all.subarray(2 * capacity * IMAGE_PIXELS),
  };
}
