import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { engine, getBackend, memory, setBackend, tensor, util, type Tensor } from '@tensorflow/tfjs-core';
import { api, memoryOf, type WasmMemory } from '../kernels/wasmAssembler';
import { uniformFloat32 } from 'pure-rand/distribution/uniformFloat32';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded generator for test shapes and values. */
export type Rng = RandomGenerator;

/** Creates a seeded generator. */
export function createRng(seed: number): Rng {
  return xoroshiro128plus(seed);
}

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return util.sizeFromShape(shape as number[]);
}

/** Whether the bytes are a module this engine's WebAssembly accepts (SIMD included). */
export function isValidWasm(bytes: Uint8Array): boolean {
  return api !== undefined && api.validate(bytes);
}

/** A uniform integer in [lo, hi]. */
export function int(rng: Rng, lo: number, hi: number): number {
  return uniformInt(rng, lo, hi);
}

/** One element of a list, uniformly. */
export function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[uniformInt(rng, 0, values.length - 1)]!;
}

/** n uniform values in [-1, 1); with `levels`, rounded to that many steps per unit so that ties are common. */
export function values(rng: Rng, n: number, levels?: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = uniformFloat32(rng) * 2 - 1;
    out[i] = levels === undefined ? v : Math.round(v * levels) / levels;
  }
  return out;
}

/** Plain arrays out of tensors (values only). */
export interface Readout {
  shape: number[];
  data: Float32Array;
}

/**
 * Runs `fn` on the named backend with inputs made there from plain data, reads its outputs and
 * disposes everything; returns the readouts and how many tensors were left behind.
 */
export async function runOn(
  backend: string,
  inputs: Record<string, { data: Float32Array; shape: number[] }>,
  fn: (t: Record<string, Tensor>) => Tensor | Tensor[],
): Promise<{ outputs: Readout[]; leaked: number }> {
  const previous = getBackend();
  if (!(await setBackend(backend))) throw new Error(`backend '${backend}' did not initialise`);
  try {
    const before = memory().numTensors;
    const made: Record<string, Tensor> = {};
    for (const [name, v] of Object.entries(inputs)) made[name] = tensor(v.data, v.shape);
    const result = fn(made);
    const list = Array.isArray(result) ? result : [result];
    const outputs = list.map((t) => ({ shape: t.shape.slice(), data: Float32Array.from(t.dataSync()) }));
    for (const t of list) t.dispose();
    for (const t of Object.values(made)) t.dispose();
    return { outputs, leaked: memory().numTensors - before };
  } finally {
    await setBackend(previous);
  }
}

/** max |a − b| / max |b|: the error of `a` relative to the reference `b` (0 when both are all zero). */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs reference ${b.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
  return scale === 0 ? diff : diff / scale;
}

/** Per-element tolerance: |a − b| ≤ rtol·|b| + atol·max|b| (atol scaled by the reference's magnitude). */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * The worst element of `a` against the reference `b` under `tol`: its |a − b| / (rtol·|b| + atol·max|b|),
 * so ≤ 1 passes; Infinity for NaN or a length mismatch. `scaleOverride` replaces max|b| as atol's scale
 * (e.g. the largest gradient of a whole model, for a gradient that is only rounding noise).
 */
export function worstElement(a: Float32Array, b: Float32Array, tol: Tolerance, scaleOverride?: number): { ratio: number; index: number } {
  if (a.length !== b.length) return { ratio: Number.POSITIVE_INFINITY, index: -1 };
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  if (scaleOverride !== undefined) scale = scaleOverride;
  let ratio = 0, index = -1;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - b[i]!);
    const allowed = tol.rtol * Math.abs(b[i]!) + tol.atol * scale;
    const r = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff === 0 ? 0 : diff / allowed;
    if (r > ratio) {
      ratio = r;
      index = i;
    }
  }
  return { ratio, index };
}

/** How the wasm outputs of one case compare with the cpu backend's. */
export interface Comparison {
  /** The worst {@link worstElement} ratio over the outputs (≤ 1 passes). */
  ratio: number;
  /** The worst max |wasm − cpu| / max |cpu| over the outputs, for reporting. */
  relative: number;
  /** Tensors wasm left behind. */
  leaked: number;
  /** Same number of outputs, each of the same shape. */
  shapesMatch: boolean;
}

/**
 * Runs fn on wasm and `reference` (default: fn) on cpu from the same data and compares every output
 * element-wise under `tol`.
 */
export async function compareWithCpu(
  inputs: Record<string, { data: Float32Array; shape: number[] }>,
  fn: (t: Record<string, Tensor>) => Tensor | Tensor[],
  tol: Tolerance,
  reference: (t: Record<string, Tensor>) => Tensor | Tensor[] = fn,
): Promise<Comparison> {
  const wasm = await runOn('wasm', inputs, fn);
  const cpu = await runOn('cpu', inputs, reference);
  let ratio = 0, relative = 0, shapesMatch = wasm.outputs.length === cpu.outputs.length;
  cpu.outputs.forEach((ref, i) => {
    const got = wasm.outputs[i];
    if (got === undefined) return;
    shapesMatch &&= got.shape.join() === ref.shape.join();
    ratio = Math.max(ratio, worstElement(got.data, ref.data, tol).ratio);
    relative = Math.max(relative, relativeError(got.data, ref.data));
  });
  return { ratio, relative, leaked: wasm.leaked, shapesMatch };
}

/**
 * Runs `fn` with the wasm backend's memory (the one assembled kernels bind to; it must exist), then restores the
 * backend that was in use.
 */
export async function withWasmMemory(fn: (memory: WasmMemory) => void): Promise<void> {
  const previous = getBackend();
  if (!(await setBackend('wasm'))) throw new Error("backend 'wasm' did not initialise");
  try {
    const wasmMemory = memoryOf(engine().backend as BackendWasm);
    if (wasmMemory === null) throw new Error('the wasm backend exposes no memory');
    fn(wasmMemory);
  } finally {
    await setBackend(previous);
  }
}

/** Comparisons of many cases: the worst seen, and the cases that failed (out of tolerance, leaking, misshapen). */
export class ComparisonTally {
  readonly failures: string[] = [];
  private worstRatio = 0;
  private worstRelative = 0;

  add(label: string, r: Comparison): void {
    this.worstRatio = Math.max(this.worstRatio, r.ratio);
    this.worstRelative = Math.max(this.worstRelative, r.relative);
    if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) this.failures.push(`${label}: ${JSON.stringify(r)}`);
  }

  /** The worst element against the tolerance, for the test's log (tolerances are set from it). */
  summary(): string {
    return `worst element at ${this.worstRatio.toFixed(3)} of the tolerance, worst max-relative error ${this.worstRelative.toExponential(2)}`;
  }
}
