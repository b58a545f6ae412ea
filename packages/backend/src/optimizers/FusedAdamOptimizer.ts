import {
  engine,
  Optimizer,
  pow,
  tensor,
  tidy,
  util,
  type NamedTensorMap,
  type Tensor,
  type TensorInfo,
  type Variable,
} from '@tensorflow/tfjs-core';
import type { serialization } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addressOf, memoryOf } from '../kernels/wasmAssembler';
import { adamUpdate, type AdamStepScalars } from './adamUpdate';
import { simdAdamUpdateOn } from './simdAdamUpdate';

/** A tensor with a name, as optimisers take and give them (tfjs-core does not export its own type). */
export interface NamedTensor {
  /** The variable's (or state entry's) name. */
  name: string;
  /** Its value. */
  tensor: Tensor;
}

/** A moment of one variable, named as tfjs's Adam names it (`<variable>/m`, `<variable>/v`). */
interface Moment {
  originalName: string;
  variable: Variable;
}

const f = Math.fround;

/**
 * Adam that updates each variable in one pass over its values instead of tfjs's ten or so kernels per variable,
 * with bit-identical results to `train.adam(learningRate, beta1, beta2, epsilon)` on the cpu and wasm backends.
 * Its state (`getWeights`/`setWeights`), `getConfig` and class name (`Adam`) are tfjs's, so a tfjs-layers model
 * compiled with it saves and loads its optimiser as a tfjs Adam. On wasm the pass runs as WebAssembly SIMD on the
 * backend's heap; on other backends it reads the tensors with `dataSync` (cheap on cpu, a download from a GPU).
 *
 * @example
 * ```ts
 * import { FusedAdamOptimizer } from '@prune/backend';
 *
 * // instead of train.adam(1e-3, 0.9, 0.999, 1e-8)
 * const optimizer = new FusedAdamOptimizer(1e-3, 0.9, 0.999, 1e-8);
 * optimizer.minimize(() => loss(), false, variables);
 * optimizer.dispose();
 * ```
 */
export class FusedAdamOptimizer extends Optimizer {
  /** tfjs's name for Adam, so that saved optimiser configs load as a tfjs Adam. */
  static get className(): string {
    return 'Adam';
  }

  /** The learning rate. */
  protected learningRate: number;
  /** Decay of the first moment. */
  protected beta1: number;
  /** Decay of the second moment. */
  protected beta2: number;
  /** Added to the root of the second moment; the backend's epsilon when none is given. */
  protected epsilon: number;
  // beta1^(t+1) and beta2^(t+1) as tfjs's float32 accBeta variables hold them.
  private accBeta1: number;
  private accBeta2: number;
  private accumulatedFirstMoment: Moment[] = [];
  private accumulatedSecondMoment: Moment[] = [];

  /**
   * Takes `train.adam`'s arguments.
   *
   * @param learningRate - the step size.
   * @param beta1 - decay of the first moment.
   * @param beta2 - decay of the second moment.
   * @param epsilon - added to the root of the second moment (default: the current backend's epsilon, as tfjs).
   */
  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number | null = null) {
    super();
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? engine().backend.epsilon();
    this.accBeta1 = f(beta1);
    this.accBeta2 = f(beta2);
  }

  /**
   * Updates each named variable by its gradient; a variable whose gradient is missing keeps its value (its
   * moments are still made, as tfjs does).
   *
   * @param variableGradients - gradients by variable name, or an array of `{ name, tensor }`.
   */
  applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const s: AdamStepScalars = {
      beta1: f(this.beta1),
      oneMinusBeta1: f(1 - this.beta1),
      beta2: f(this.beta2),
      oneMinusBeta2: f(1 - this.beta2),
      oneMinusAccBeta1: f(1 - this.accBeta1),
      oneMinusAccBeta2: f(1 - this.accBeta2),
      epsilon: f(this.epsilon),
      negLearningRate: f(-this.learningRate),
    };
    const gradientOf = (name: string, i: number): Tensor | undefined =>
      Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
    // Everything is checked before anything changes, so a bad call leaves the variables and the state as they were.
    names.forEach((name, i) => {
      const value = engine().registeredVariables[name];
      if (value == null) throw new Error(`FusedAdamOptimizer: no variable named '${name}' is registered; pass gradients of live variables`);
      if (value.dtype !== 'float32') throw new Error(`FusedAdamOptimizer: variable '${name}' is ${value.dtype}; Adam updates float32 variables only`);
      const gradient = gradientOf(name, i);
      if (gradient != null && (gradient.dtype !== 'float32' || !util.arraysEqual(gradient.shape, value.shape))) {
        throw new Error(`FusedAdamOptimizer: the gradient of '${name}' is ${gradient.dtype} [${gradient.shape}]; it must be float32 of the variable's shape [${value.shape}]`);
      }
    });
    tidy(() => {
      names.forEach((name, i) => {
        const value = engine().registeredVariables[name]!;
        // Moments are kept by position, as tfjs's Adam keeps them.
        this.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: zerosVariable(value) };
        this.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: zerosVariable(value) };
        const gradient = gradientOf(name, i);
        if (gradient == null) return;
        const first = this.accumulatedFirstMoment[i]!.variable;
        const second = this.accumulatedSecondMoment[i]!.variable;
        const [x1, m1, v1] = updated(value, first, second, gradient, s);
        first.assign(m1);
        second.assign(v1);
        value.assign(x1);
      });
    });
    // accBeta ← accBeta · beta, a float32 multiply as tfjs's mul kernel does it.
    this.accBeta1 = f(this.accBeta1 * s.beta1);
    this.accBeta2 = f(this.accBeta2 * s.beta2);
    this.incrementIterations();
  }

  /** Disposes the moments. */
  override dispose(): void {
    for (const m of [...this.accumulatedFirstMoment, ...this.accumulatedSecondMoment]) m?.variable.dispose();
    this.accumulatedFirstMoment = [];
    this.accumulatedSecondMoment = [];
  }

  /**
   * The optimiser's state as tfjs's Adam gives it: the iteration count, then every first moment, then every
   * second moment (the moment tensors are the optimiser's own; do not dispose them).
   *
   * @returns `[{ name: 'iter', tensor }, ...firstMoments, ...secondMoments]`.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.accumulatedFirstMoment, ...this.accumulatedSecondMoment];
    return [await this.saveIterations()].concat(moments.map((m) => ({ name: m.originalName, tensor: m.variable })));
  }

  /**
   * Restores a state from {@link FusedAdamOptimizer.getWeights} or from a tfjs Adam's `getWeights`.
   *
   * @param weightValues - the iteration count, then the first moments, then the second moments.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const moments = await this.extractIterations(weightValues);
    if (moments.length % 2 !== 0) throw new Error(`FusedAdamOptimizer.setWeights: expected as many first as second moments, got ${moments.length} tensors`);
    // tfjs computes beta^(t+1) with its pow kernel; using the same op gives the same float32 on every backend.
    [this.accBeta1, this.accBeta2] = tidy(() => [this.beta1, this.beta2].map((b) => pow(b, this.iterations_ + 1).dataSync()[0]!) as [number, number]);
    const count = moments.length / 2;
    const old = [...this.accumulatedFirstMoment, ...this.accumulatedSecondMoment];
    const toMoment = (w: NamedTensor): Moment => ({ originalName: w.name, variable: w.tensor.variable(false) });
    this.accumulatedFirstMoment = moments.slice(0, count).map(toMoment);
    this.accumulatedSecondMoment = moments.slice(count).map(toMoment);
    // The new moments share the given tensors' data, so the replaced ones can go.
    for (const m of old) m?.variable.dispose();
  }

  /**
   * The constructor's arguments, as tfjs's Adam gives them.
   *
   * @returns `{ learningRate, beta1, beta2, epsilon }`.
   */
  getConfig(): serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /**
   * Makes an optimiser from {@link FusedAdamOptimizer.getConfig}'s dictionary.
   *
   * @param cls - the class to make.
   * @param config - `{ learningRate, beta1, beta2, epsilon }`.
   * @returns A new optimiser.
   */
  static override fromConfig<T extends serialization.Serializable>(cls: serialization.SerializableConstructor<T>, config: serialization.ConfigDict): T {
    const Ctor = cls as unknown as new (lr: unknown, b1: unknown, b2: unknown, eps: unknown) => T;
    return new Ctor(config['learningRate'], config['beta1'], config['beta2'], config['epsilon']);
  }
}

function zerosVariable(like: Variable): Variable {
  return tensor(new Float32Array(like.size), like.shape, 'float32').variable(false);
}

/**
 * The new value, m and v of one variable, as fresh tensors (call inside a tidy). On wasm the update reads and
 * writes the backend's heap (no dataSync copies), four elements at a time with SIMD where it assembles, the tail
 * in JavaScript; elsewhere it goes through dataSync and tensor().
 */
function updated(value: Tensor, m: Tensor, v: Tensor, g: Tensor, s: AdamStepScalars): [Tensor, Tensor, Tensor] {
  const e = engine();
  if (e.backendName === 'wasm') {
    const wasm = e.backend as BackendWasm;
    // All outputs first: an allocation may grow the heap and detach earlier views.
    const outs = [0, 1, 2].map(() => wasm.makeOutput(value.shape, 'float32'));
    const n = value.size;
    const memory = memoryOf(wasm);
    const simd = memory == null ? null : simdAdamUpdateOn(memory);
    const head = simd == null ? 0 : n - (n % 4);
    if (simd != null && head > 0) {
      const [xo, mo, vo] = outs.map((o) => addressOf(wasm, o)) as [number, number, number];
      simd(addressOf(wasm, value), addressOf(wasm, m), addressOf(wasm, v), addressOf(wasm, g), xo, mo, vo, 4 * head,
        s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.oneMinusAccBeta1, s.oneMinusAccBeta2, s.epsilon, s.negLearningRate);
    }
    if (head < n) {
      const view = (t: TensorInfo) => (wasm.typedArrayFromHeap(t) as Float32Array).subarray(head);
      const [x1, m1, v1] = outs.map(view) as [Float32Array, Float32Array, Float32Array];
      adamUpdate(view(value), view(m), view(v), view(g), s, x1, m1, v1);
    }
    return outs.map((o) => e.makeTensorFromTensorInfo(o)) as [Tensor, Tensor, Tensor];
  }
  const n = value.size;
  const x1 = new Float32Array(n), m1 = new Float32Array(n), v1 = new Float32Array(n);
  adamUpdate(value.dataSync() as Float32Array, m.dataSync() as Float32Array, v.dataSync() as Float32Array, g.dataSync() as Float32Array, s, x1, m1, v1);
  return [tensor(x1, value.shape, 'float32'), tensor(m1, value.shape, 'float32'), tensor(v1, value.shape, 'float32')];
}
