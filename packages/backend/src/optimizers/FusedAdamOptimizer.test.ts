import {
  engine,
  getBackend,
  io,
  memory,
  setBackend,
  tensor,
  tidy,
  train,
  variable,
  type NamedTensorMap,
  type Optimizer,
  type Variable,
} from '@tensorflow/tfjs-core';
import { layers, loadLayersModel, sequential } from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { memoryOf } from '../kernels/wasmAssembler';
import { adamUpdate } from './adamUpdate';
import { simdAdamUpdateModule, simdAdamUpdateOn } from './simdAdamUpdate';
import { FusedAdamOptimizer, type NamedTensor } from './FusedAdamOptimizer';
import { createRng, int, isValidWasm, pick, values, type Rng } from '../test-utils/oracle';

// Scalar-shaped, empty and one-element variables beside ordinary ones.
const SHAPES: number[][] = [[], [0], [1], [3, 0, 2], [7], [5, 3], [2, 3, 4, 5], [64], [4, 33]];
const STEPS = 25;

/** Settings: the lab's, tfjs's defaults with the backend's epsilon, and odd ones. */
const SETTINGS: [number, number, number, number | null][] = [
  [1e-3, 0.9, 0.999, 1e-8],
  [0.01, 0.9, 0.999, null],
  [0.3, 0.5, 0.7, 1e-3],
];

/**
 * Random gradients spanning many magnitudes, with zeros, so that roundings of every size occur; one in five so
 * small (down to 1e-24) that g² and the second moment are subnormal float32s.
 */
function gradient(rng: Rng, n: number): Float32Array {
  const g = values(rng, n);
  for (let i = 0; i < n; i++) {
    const exponent = int(rng, 0, 4) === 0 ? int(rng, -24, -17) : int(rng, -7, 2);
    g[i] = pick(rng, [0, 1, 1, 1]) * g[i]! * 10 ** exponent;
  }
  return g;
}

interface Case {
  initial: Float32Array[];
  shapes: number[][];
  gradients: Float32Array[][]; // [step][variable]
}

function makeCase(seed: number, steps = STEPS): Case {
  const rng = createRng(seed);
  const shapes = Array.from({ length: int(rng, 3, 8) }, () => pick(rng, SHAPES));
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    shapes,
    initial: shapes.map((s) => values(rng, size(s))),
    gradients: Array.from({ length: steps }, () => shapes.map((s) => gradient(rng, size(s)))),
  };
}

/** Runs the case's steps with an optimiser; returns the final values and the optimiser's state, as arrays. */
async function run(c: Case, optimizer: Optimizer, asArray: boolean): Promise<{ values: Float32Array[]; state: Float32Array[] }> {
  const vars = c.shapes.map((s, i) => makeVariable(c.initial[i]!, s));
  for (const step of c.gradients) {
    const grads = step.map((g, i) => tensor(g, c.shapes[i]!));
    if (asArray) optimizer.applyGradients(vars.map((v, i): NamedTensor => ({ name: v.name, tensor: grads[i]! })));
    else optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]!])));
    grads.forEach((g) => g.dispose());
  }
  const out = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const weights = await optimizer.getWeights();
  const state = weights.map((w) => Float32Array.from(w.tensor.dataSync()));
  weights[0]!.tensor.dispose(); // the iteration count is a fresh scalar; the moments are the optimiser's own
  vars.forEach((v) => v.dispose());
  optimizer.dispose();
  return { values: out, state };
}

/** A variable holding a copy of `data` (the initial tensor is released). */
function makeVariable(data: Float32Array, shape: number[]): Variable {
  return tidy(() => variable(tensor(data, shape)));
}

/** Indices of elements whose bits differ (NaNs compare by bits too). */
function differingBits(a: Float32Array[], b: Float32Array[]): number {
  expect(a.length).toBe(b.length);
  let count = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(x.length).toBe(y.length);
    const xb = new Uint32Array(x.buffer, x.byteOffset, x.length), yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
    for (let j = 0; j < xb.length; j++) if (xb[j] !== yb[j]) count++;
  });
  return count;
}

/** Adam in float64 without rounding: a deliberately different arithmetic the check must catch. */
class Float64Adam extends FusedAdamOptimizer {
  private state = new Map<string, { m: Float64Array; v: Float64Array; x: Float64Array }>();
  private t = 0;
  override applyGradients(grads: NamedTensor[] | NamedTensorMap): void {
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = this.getConfig() as Record<string, number>;
    this.t++;
    for (const { name, tensor: g } of list) {
      const variable = engine().registeredVariables[name] as Variable;
      const s = this.state.get(name) ?? { m: new Float64Array(g.size), v: new Float64Array(g.size), x: Float64Array.from(variable.dataSync()) };
      this.state.set(name, s);
      const gd = g.dataSync();
      for (let i = 0; i < g.size; i++) {
        s.m[i] = b1! * s.m[i]! + (1 - b1!) * gd[i]!;
        s.v[i] = b2! * s.v[i]! + (1 - b2!) * gd[i]! * gd[i]!;
        s.x[i] = s.x[i]! - (lr! * (s.m[i]! / (1 - b1! ** this.t))) / (Math.sqrt(s.v[i]! / (1 - b2! ** this.t)) + eps!);
      }
      variable.assign(tensor(Float32Array.from(s.x), variable.shape));
    }
  }
  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations()];
  }
}

describe('the WebAssembly SIMD update', () => {
  it('assembles into a valid module, shared-memory variant included, and binds to the wasm backend', async () => {
    expect(isValidWasm(simdAdamUpdateModule(false))).toBe(true);
    expect(isValidWasm(simdAdamUpdateModule(true))).toBe(true);
    const previous = getBackend();
    await setBackend('wasm');
    // So the wasm cases below run it (and the JavaScript tail after the last multiple of 4).
    expect(simdAdamUpdateOn(memoryOf(engine().backend as BackendWasm)!)).toBeTypeOf('function');
    await setBackend(previous);
  });
});

describe.each(['cpu', 'wasm'])('FusedAdamOptimizer on %s', (backend) => {
  const initial = getBackend();
  afterAll(async () => {
    await setBackend(initial);
  });

  it.each(SETTINGS)('is bit-identical to train.adam(%s, %s, %s, %s) over 25 steps of random gradients', async (lr, b1, b2, eps) => {
    await setBackend(backend);
    for (const seed of [1, 2, 3]) {
      const c = makeCase(seed * 100 + SETTINGS.findIndex((s) => s[0] === lr));
      const ours = await run(c, new FusedAdamOptimizer(lr, b1, b2, eps), seed % 2 === 0);
      const theirs = await run(c, train.adam(lr, b1, b2, eps ?? undefined), seed % 2 === 0);
      expect(differingBits(ours.values, theirs.values), `values, seed ${seed}`).toBe(0);
      expect(differingBits(ours.state, theirs.state), `moments, seed ${seed}`).toBe(0);
      expect(ours.state.length).toBe(1 + 2 * c.shapes.length);
    }
  });

  it('the check is sensitive: Adam in float64 without float32 rounding differs from train.adam', async () => {
    await setBackend(backend);
    const c = makeCase(7);
    const f64 = await run(c, new Float64Adam(1e-3, 0.9, 0.999, 1e-8), false);
    const tfjs = await run(c, train.adam(1e-3, 0.9, 0.999, 1e-8), false);
    const differing = differingBits(f64.values, tfjs.values);
    console.log(`${backend}: float64 Adam differs from train.adam in ${differing} of ${c.initial.reduce((a, x) => a + x.length, 0)} values`);
    expect(differing).toBeGreaterThan(0);
  });

  it('the check is sensitive to one rounding: 1 - beta1 taken in float32 instead of double differs', async () => {
    await setBackend(backend);
    const rng = createRng(8);
    const n = 4096;
    const x0 = values(rng, n), g = gradient(rng, n);
    const x = makeVariable(x0, [n]), grad = tensor(g, [n]);
    const adam = train.adam(1e-3, 0.9, 0.999, 1e-8);
    adam.applyGradients([{ name: x.name, tensor: grad }]);
    const expected = Float32Array.from(x.dataSync() as Float32Array);
    const f = Math.fround;
    const s = { beta1: f(0.9), oneMinusBeta1: f(1 - 0.9), beta2: f(0.999), oneMinusBeta2: f(1 - 0.999), oneMinusAccBeta1: f(1 - f(0.9)), oneMinusAccBeta2: f(1 - f(0.999)), epsilon: f(1e-8), negLearningRate: f(-1e-3) };
    const step = (scalars: typeof s) => {
      const out = new Float32Array(n);
      adamUpdate(x0, new Float32Array(n), new Float32Array(n), g, scalars, out, new Float32Array(n), new Float32Array(n));
      return out;
    };
    expect(differingBits([step(s)], [expected])).toBe(0);
    const rounded = differingBits([step({ ...s, oneMinusBeta1: f(1 - f(0.9)) })], [expected]);
    console.log(`${backend}: 1 - beta1 in float32 changes ${rounded} of ${n} values after one step`);
    expect(rounded).toBeGreaterThan(0);
    adam.dispose();
    x.dispose();
    grad.dispose();
  });

  it('takes gradients as a map and as an array alike, and skips a variable whose gradient is missing', async () => {
    await setBackend(backend);
    const c = makeCase(11, 5);
    const byMap = await run(c, new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8), false);
    const byArray = await run(c, new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8), true);
    expect(differingBits(byMap.values, byArray.values)).toBe(0);

    const a = makeVariable(Float32Array.of(1, 2), [2]), b = makeVariable(Float32Array.of(3), [1]);
    const optimizer = new FusedAdamOptimizer(0.1, 0.9, 0.999, 1e-8);
    const g = tensor([1, -1]);
    optimizer.applyGradients({ [a.name]: g });
    expect(Array.from(b.dataSync())).toEqual([3]);
    // Adam's first step moves each element by the learning rate against its gradient's sign.
    const [a0, a1] = Array.from(a.dataSync());
    expect(a0).toBeCloseTo(0.9, 5);
    expect(a1).toBeCloseTo(2.1, 5);
    expect(optimizer.iterations).toBe(1);
    [a, b, g].forEach((t) => t.dispose());
    optimizer.dispose();
  });

  it('restores its state from getWeights, its own or a tfjs Adam’s, and continues bit-identically', async () => {
    await setBackend(backend);
    const c = makeCase(21, 20);
    // 5 steps, the state moved into a fresh optimiser, 5 steps, moved again, 10 steps: once through tfjs's
    // Adam only, once from tfjs's Adam into ours and then ours into ours. setWeights recomputes beta^(t+1) with
    // pow, which is not the product of t rounded multiplications: the references must restore at the same steps.
    const relay = async (make: ((lr: number, b1: number, b2: number, eps: number) => Optimizer)[]) => {
      const vars = c.shapes.map((s, i) => makeVariable(c.initial[i]!, s));
      const stepWith = (o: Optimizer, k: number) =>
        tidy(() => o.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tensor(c.gradients[k]![i]!, c.shapes[i]!) }))));
      let optimizer = make[0]!(0.01, 0.9, 0.999, 1e-8);
      const stops = [0, 5, 10, 20];
      for (let leg = 0; leg < 3; leg++) {
        if (leg > 0) {
          const next = make[leg]!(0.01, 0.9, 0.999, 1e-8);
          const state = await optimizer.getWeights();
          await next.setWeights(state);
          expect(next.iterations).toBe(stops[leg]);
          state[0]!.tensor.dispose();
          optimizer.dispose();
          optimizer = next;
        }
        for (let k = stops[leg]!; k < stops[leg + 1]!; k++) stepWith(optimizer, k);
      }
      const state = await optimizer.getWeights();
      const names = state.map((w) => w.name);
      const out = [...vars, ...state.slice(1).map((w) => w.tensor)].map((v) => Float32Array.from(v.dataSync() as Float32Array));
      state[0]!.tensor.dispose();
      optimizer.dispose();
      expect(names).toEqual(['iter', ...vars.map((v) => `${v.name}/m`), ...vars.map((v) => `${v.name}/v`)]);
      vars.forEach((v) => v.dispose());
      return out;
    };
    const adam = (lr: number, b1: number, b2: number, eps: number) => train.adam(lr, b1, b2, eps);
    const fused = (lr: number, b1: number, b2: number, eps: number) => new FusedAdamOptimizer(lr, b1, b2, eps);
    const reference = await relay([adam, adam, adam]);
    expect(differingBits(await relay([adam, fused, fused]), reference)).toBe(0);
    expect(differingBits(await relay([fused, fused, adam]), reference)).toBe(0);
  });

  it('has tfjs Adam’s class name and config', async () => {
    await setBackend(backend);
    const ours = new FusedAdamOptimizer(0.02, 0.8, 0.99);
    const theirs = train.adam(0.02, 0.8, 0.99);
    expect(ours.getClassName()).toBe(theirs.getClassName());
    expect(ours.getConfig()).toEqual(theirs.getConfig());
    const copy = FusedAdamOptimizer.fromConfig(FusedAdamOptimizer, ours.getConfig()) as FusedAdamOptimizer;
    expect(copy).toBeInstanceOf(FusedAdamOptimizer);
    expect(copy.getConfig()).toEqual(ours.getConfig());
    [ours, theirs, copy].forEach((o) => o.dispose());
  });

  it('trains a compiled tfjs-layers model exactly as tfjs’s Adam does', async () => {
    await setBackend(backend);
    const rng = createRng(5);
    const xs = values(rng, 32 * 6), ys = values(rng, 32 * 2);
    const fit = async (optimizer: Optimizer) => {
      const model = sequential({
        layers: [layers.dense({ inputShape: [6], units: 5, activation: 'tanh', kernelInitializer: 'glorotUniform' }), layers.dense({ units: 2 })],
      });
      model.layers.forEach((l, i) => l.setWeights(l.getWeights().map((w) => tidy(() => tensor(values(createRng(i), w.size), w.shape)))));
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = tensor(xs, [32, 6]), y = tensor(ys, [32, 2]);
      await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
      const out = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
      [x, y].forEach((t) => t.dispose());
      model.dispose();
      optimizer.dispose();
      return out;
    };
    expect(differingBits(await fit(new FusedAdamOptimizer(0.01, 0.9, 0.999)), await fit(train.adam(0.01, 0.9, 0.999)))).toBe(0);
  });

  it('saves with a layers model as tfjs’s Adam does, and loads back as a tfjs Adam with the same state', async () => {
    await setBackend(backend);
    const rng = createRng(6);
    const xs = values(rng, 16 * 3), ys = values(rng, 16);
    const trainAndSave = async (optimizer: Optimizer) => {
      const model = sequential({ layers: [layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), layers.dense({ units: 1 })] });
      model.layers.forEach((l, i) => l.setWeights(l.getWeights().map((w) => tidy(() => tensor(values(createRng(10 + i), w.size), w.shape)))));
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = tensor(xs, [16, 3]), y = tensor(ys, [16, 1]);
      await model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      let saved: io.ModelArtifacts | undefined;
      await model.save(io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }), { includeOptimizer: true });
      const weights = await optimizer.getWeights();
      const state = weights.map((w) => Float32Array.from(w.tensor.dataSync()));
      [x, y, weights[0]!.tensor].forEach((t) => t.dispose());
      model.dispose();
      optimizer.dispose();
      return { saved: saved!, state };
    };
    const ours = await trainAndSave(new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8));
    const theirs = await trainAndSave(train.adam(0.01, 0.9, 0.999, 1e-8));
    expect(ours.saved.trainingConfig).toEqual(theirs.saved.trainingConfig);
    expect((ours.saved.trainingConfig?.optimizer_config as { class_name?: string }).class_name).toBe('Adam');
    const unnumbered = (a: io.ModelArtifacts) => a.weightSpecs!.map((w) => ({ ...w, name: w.name.replace(/\d+/g, '') }));
    expect(unnumbered(ours.saved)).toEqual(unnumbered(theirs.saved));
    expect(ours.saved.weightSpecs!.filter((w) => w.group === 'optimizer')).toHaveLength(1 + 2 * 4); // iter, m and v of 4 weights
    const bytes = (a: io.ModelArtifacts) => new Uint8Array(a.weightData as ArrayBuffer);
    expect(Buffer.from(bytes(ours.saved)).equals(Buffer.from(bytes(theirs.saved)))).toBe(true);

    const loaded = await loadLayersModel(io.fromMemory(ours.saved));
    const restored = loaded.optimizer;
    expect(restored.getClassName()).toBe('Adam');
    expect(restored.iterations).toBe(8); // 2 epochs of 4 batches
    const restoredWeights = await restored.getWeights();
    const restoredState = restoredWeights.map((w) => Float32Array.from(w.tensor.dataSync()));
    restoredWeights[0]!.tensor.dispose();
    expect(differingBits(restoredState, ours.state)).toBe(0);
    restored.dispose();
    loaded.dispose();
  });

  it('leaks no tensor: a step keeps the count, dispose frees the moments', async () => {
    await setBackend(backend);
    const c = makeCase(31, 3);
    const before = memory().numTensors;
    const vars = c.shapes.map((s, i) => makeVariable(c.initial[i]!, s));
    const grads = c.shapes.map((s, i) => tensor(c.gradients[0]![i]!, s));
    expect(memory().numTensors).toBe(before + 2 * vars.length);
    const optimizer = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);
    optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
    const afterFirst = memory().numTensors;
    expect(afterFirst).toBe(before + 4 * vars.length); // the variables, their gradients and two moments each
    for (let k = 0; k < 3; k++) optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
    expect(memory().numTensors).toBe(afterFirst);
    const state = await optimizer.getWeights();
    await optimizer.setWeights(state);
    state[0]!.tensor.dispose();
    expect(memory().numTensors).toBe(afterFirst);
    optimizer.dispose();
    [...vars, ...grads].forEach((t) => t.dispose());
    expect(memory().numTensors).toBe(before);
  });

  it('names the variable in its errors', async () => {
    await setBackend(backend);
    const optimizer = new FusedAdamOptimizer(0.01, 0.9, 0.999);
    const g = tensor([1]);
    expect(() => optimizer.applyGradients({ nowhere: g })).toThrow(/no variable named 'nowhere'/);
    // A bad gradient after a good one: nothing is updated.
    const a = makeVariable(Float32Array.of(1), [1]), b = makeVariable(Float32Array.of(1, 2), [2]);
    expect(() => optimizer.applyGradients([{ name: a.name, tensor: g }, { name: b.name, tensor: g }])).toThrow(
      new RegExp(`gradient of '${b.name}' is float32 \\[1\\]; it must be float32 of the variable's shape \\[2\\]`),
    );
    expect(Array.from(a.dataSync())).toEqual([1]);
    expect(optimizer.iterations).toBe(0);
    [g, a, b].forEach((t) => t.dispose());
    optimizer.dispose();
  });
});
