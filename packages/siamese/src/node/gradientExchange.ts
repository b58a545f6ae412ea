/** Shared memory through which model replicas sum their gradients: made once by the trainer, sent to every replica. */
export interface ExchangeLayout {
  /** One slot per replica, each holding every trainable gradient flattened, in variable order. */
  slots: SharedArrayBuffer;
  /** One Int32 phase counter per replica: 2s + 1 once it wrote step s's gradients, 2s + 2 once it read them all. */
  phases: SharedArrayBuffer;
  /** Element count of each trainable variable, in order. */
  sizes: number[];
  replicas: number;
}

/** How long a replica waits for the others before it gives up (a stuck replica would otherwise hang training). */
export const EXCHANGE_TIMEOUT_MS = 120_000;
const FAILED = -1;

/**
 * The shared buffers of an exchange between `replicas` replicas of a model.
 *
 * @param shapes - the shapes of the model's trainable variables, in order.
 * @param replicas - how many replicas take part.
 * @returns The layout to send to every replica.
 */
export function gradientExchangeLayout(shapes: readonly number[][], replicas: number): ExchangeLayout {
  const sizes = sizesOf(shapes);
  const length = sizes.reduce((a, b) => a + b, 0);
  return {
    slots: new SharedArrayBuffer(length * replicas * Float32Array.BYTES_PER_ELEMENT),
    phases: new SharedArrayBuffer(replicas * Int32Array.BYTES_PER_ELEMENT),
    sizes,
    replicas,
  };
}

/**
 * Checks that a replica's variables are those the exchange was laid out for.
 *
 * @param layout - the exchange's buffers.
 * @param shapes - the shapes of the replica's trainable variables, in order.
 */
export function checkExchangeLayout(layout: ExchangeLayout, shapes: readonly number[][]): void {
  if (shapes.length !== layout.sizes.length) throw new Error(`gradient exchange: ${shapes.length} variables, the exchange was laid out for ${layout.sizes.length}`);
  sizesOf(shapes).forEach((size, i) => {
    if (size !== layout.sizes[i]) throw new Error(`gradient exchange: variable ${i} has ${size} values, the exchange was laid out for ${layout.sizes[i]}`);
  });
}

/**
 * One replica's end of an exchange. Every replica calls {@link GradientExchange.exchange} once per step; the call
 * blocks (Atomics.wait, so in a worker thread) until every replica has written, and returns the same float sum on
 * each of them.
 */
export class GradientExchange {
  private readonly slots: Float32Array[];
  private readonly ownSlot: Float32Array[];
  private readonly sum: Float32Array;
  private readonly summed: Float32Array[];
  private readonly phases: Int32Array;
  private step = 0;

  /**
   * @param layout - the buffers every replica shares ({@link gradientExchangeLayout}).
   * @param index - this replica's slot.
   * @param timeoutMs - how long to wait for the other replicas at each barrier.
   */
  constructor(
    private readonly layout: ExchangeLayout,
    private readonly index: number,
    private readonly timeoutMs = EXCHANGE_TIMEOUT_MS,
  ) {
    const length = layout.sizes.reduce((a, b) => a + b, 0);
    this.slots = Array.from({ length: layout.replicas }, (_, k) => new Float32Array(layout.slots, k * length * 4, length));
    this.ownSlot = views(this.slots[index]!, layout.sizes);
    this.sum = new Float32Array(length);
    this.summed = views(this.sum, layout.sizes);
    this.phases = new Int32Array(layout.phases);
  }

  /**
   * Has this replica write its gradients of a step into its slot, then returns the sum of the first
   * `contributors` slots, added in replica order (slot 0 + slot 1 + …) so that every replica, and the order of a
   * sum on one thread, agree bit for bit. Nothing is allocated: the slot and the sum are reused step after step.
   *
   * @param write - fills this replica's slot (one view per variable, in variable order); none when it had no share
   *   of the batch. It is called once the other replicas have read the slot's previous values.
   * @param contributors - how many replicas, from replica 0, wrote gradients this step.
   * @returns The summed gradients, one view per variable, valid until the next call.
   */
  exchange(write: ((slot: readonly Float32Array[]) => void) | undefined, contributors: number): Float32Array[] {
    const written = 2 * this.step + 1;
    this.waitForAll(written - 1, `has not finished reading step ${this.step}`); // a slow replica may still read this slot
    write?.(this.ownSlot);
    this.arrive(written);
    this.waitForAll(written, `has not written its gradients of step ${this.step + 1}`);
    this.sum.set(this.slots[0]!);
    for (let k = 1; k < contributors; k++) addInto(this.sum, this.slots[k]!);
    this.arrive(written + 1);
    this.step++;
    return this.summed;
  }

  /** Tells the other replicas that this one will not arrive, so that they fail at once instead of timing out. */
  abandon(): void {
    this.arrive(FAILED);
  }

  private arrive(phase: number): void {
    Atomics.store(this.phases, this.index, phase);
    Atomics.notify(this.phases, this.index);
  }

  private waitForAll(phase: number, what: string): void {
    const deadline = performance.now() + this.timeoutMs;
    for (let k = 0; k < this.layout.replicas; k++) {
      for (let seen = Atomics.load(this.phases, k); seen < phase; seen = Atomics.load(this.phases, k)) {
        if (seen === FAILED) throw new Error(`training replica ${this.index} stopped at step ${this.step + 1}: replica ${k} failed`);
        const left = deadline - performance.now();
        if (left <= 0) {
          const seconds = this.timeoutMs / 1000;
          throw new Error(`training replica ${this.index} gave up at step ${this.step + 1} after ${seconds} s: replica ${k} did not arrive (it ${what})`);
        }
        Atomics.wait(this.phases, k, seen, left);
      }
    }
  }
}

/** Element count of each shape. */
function sizesOf(shapes: readonly number[][]): number[] {
  return shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
}

/** One view per variable of a flat array laid out as `sizes`. */
function views(flat: Float32Array, sizes: readonly number[]): Float32Array[] {
  let offset = 0;
  return sizes.map((size) => flat.subarray(offset, (offset += size)));
}

function addInto(sum: Float32Array, g: Float32Array): void {
  for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + g[i]!;
}
