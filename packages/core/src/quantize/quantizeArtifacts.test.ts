import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { ZOO } from '@prune/test-zoo';
import { modelArtifacts } from '../surgery/modelArtifacts';
import { float16Bits } from './float16';
import { quantizeArtifacts } from './quantizeArtifacts';

/** tfjs's own decoder (what every loader runs) is the oracle: the dequantized values of a quantized spec. */
function decodeOne(bytes: ArrayBuffer, spec: tf.io.WeightsManifestEntry): Float32Array {
  const decoded = tf.io.decodeWeights(bytes, [spec]);
  const values = decoded[spec.name]!.dataSync() as Float32Array;
  tf.dispose(Object.values(decoded));
  return values;
}

/** Weight artifacts of one float32 weight. */
function artifactsOf(values: Float32Array, name = 'w'): tf.io.ModelArtifacts {
  return { modelTopology: {}, weightSpecs: [{ name, shape: [values.length], dtype: 'float32' }], weightData: values.slice().buffer };
}

/** Seeded values: normal-ish weights, some exact zeros (pruned channels), a few large and tiny ones. */
function sampleWeights(n: number, seed: number): Float32Array {
  const values = tf.tidy(() => tf.randomNormal([n], 0, 0.2, 'float32', seed).dataSync() as Float32Array);
  for (let i = 0; i < n; i += 17) values[i] = 0;
  values[1] = 3.75;
  values[2] = -1e-6;
  return values;
}

describe('float16Bits', () => {
  it('round-trips every finite half value through tfjs decoding, and rounds to the nearest half (ties to even)', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const halves = decodeOne(all.buffer, { name: 'h', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } });
    for (let bits = 0; bits < 65536; bits++) {
      const v = halves[bits]!;
      if (Number.isNaN(v)) expect((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0).toBe(true);
      else expect(float16Bits(v)).toBe(bits);
    }
    // Midpoints between neighbours round to the even one; just above a midpoint rounds up.
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(Math.fround(1 + 2 ** -11 + 2 ** -20))).toBe(0x3c01);
    expect(float16Bits(65520)).toBe(0x7c00); // rounds past the largest half (65504) to Infinity
    expect(float16Bits(2 ** -25)).toBe(0); // half the smallest subnormal: a tie, to even (zero)
    expect(float16Bits(-(2 ** -24))).toBe(0x8001);
  });
});

describe('quantizeArtifacts', () => {
  it('float16: tfjs decodes each weight within a relative 2^-11 (absolute 2^-25 for subnormals), zeros exact, half the bytes', () => {
    const values = sampleWeights(4000, 1);
    const q = quantizeArtifacts(artifactsOf(values), 'float16');
    expect(q.bytes).toEqual({ before: 16000, after: 8000 });
    const spec = q.artifacts.weightSpecs![0]!;
    expect(spec).toEqual({ name: 'w', shape: [4000], dtype: 'float32', quantization: { dtype: 'float16' } });
    const decoded = decodeOne(q.artifacts.weightData as ArrayBuffer, spec);
    values.forEach((v, i) => {
      expect(Math.abs(decoded[i]! - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
      if (v === 0) expect(decoded[i]).toBe(0);
    });
  });

  it('uint8: tfjs decodes each weight within scale/2 of it, the range covers min and max, and 0 stays exactly 0', () => {
    const values = sampleWeights(4000, 2);
    const q = quantizeArtifacts(artifactsOf(values), 'uint8');
    expect(q.bytes).toEqual({ before: 16000, after: 4000 });
    const spec = q.artifacts.weightSpecs![0]!;
    const { scale, min, dtype } = spec.quantization!;
    expect(dtype).toBe('uint8');
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    expect(scale).toBeCloseTo((hi - lo) / 255, 12);
    const decoded = decodeOne(q.artifacts.weightData as ArrayBuffer, spec);
    values.forEach((v, i) => {
      expect(Math.abs(decoded[i]! - v)).toBeLessThanOrEqual(scale! / 2 + 1e-6);
      if (v === 0) expect(Math.abs(decoded[i]!)).toBeLessThan(1e-7);
    });
    expect(min! <= lo + scale! / 2 && min! + 255 * scale! >= hi - scale! / 2).toBe(true);
  });

  it('uint8 of a constant weight and of an all-positive one, as tfjs-converter writes them', () => {
    const constant = quantizeArtifacts(artifactsOf(new Float32Array([0.5, 0.5, 0.5])), 'uint8');
    expect(constant.artifacts.weightSpecs![0]!.quantization).toEqual({ dtype: 'uint8', scale: 1, min: 0.5 });
    expect(Array.from(decodeOne(constant.artifacts.weightData as ArrayBuffer, constant.artifacts.weightSpecs![0]!))).toEqual([0.5, 0.5, 0.5]);
    // Without 0 in the range there is no nudge: min is the smallest weight and max lands on the last level.
    const positive = quantizeArtifacts(artifactsOf(new Float32Array([1, 2, 3.55])), 'uint8');
    const decoded = decodeOne(positive.artifacts.weightData as ArrayBuffer, positive.artifacts.weightSpecs![0]!);
    expect(decoded[0]).toBeCloseTo(1, 6);
    expect(decoded[2]).toBeCloseTo(3.55, 6);
  });

  it('refuses what it cannot keep: a finite weight beyond float16, an already quantized spec, short weight data', () => {
    expect(() => quantizeArtifacts(artifactsOf(new Float32Array([1, 7e4]), 'conv/kernel'), 'float16')).toThrow(/weight 'conv\/kernel' holds 70000, beyond float16's range.*use uint8/);
    const q = quantizeArtifacts(artifactsOf(new Float32Array([1, 2])), 'uint8');
    expect(() => quantizeArtifacts(q.artifacts, 'float16')).toThrow(/'w' is already quantized \(uint8\)/);
    const short = { ...artifactsOf(new Float32Array([1])), weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' as const }] };
    expect(() => quantizeArtifacts(short, 'uint8')).toThrow(/weight data \(4 bytes\) ends inside weight 'w'/);
    expect(() => quantizeArtifacts(q.artifacts, 'int8' as never)).toThrow(/dtype must be 'float16' or 'uint8', got "int8"/);
  });

  it.each(['float16', 'uint8'] as const)('%s: a zoo model loads back with loadLayersModel and predicts close to the float32 model', async (dtype) => {
    const entry = ZOO.resnet;
    const model = entry.build({ seed: 4 });
    const [x] = entry.randomInputs(8, 5);
    const artifacts = await modelArtifacts(model);
    const before = tf.memory().numTensors;
    const q = quantizeArtifacts(artifacts, dtype);
    expect(tf.memory().numTensors).toBe(before);
    expect(q.quantized).toBe(artifacts.weightSpecs!.length);
    expect(q.bytes.after).toBe(q.bytes.before / (dtype === 'float16' ? 2 : 4));
    const loaded = await loadLayersModel(tf.io.fromMemory(q.artifacts));
    const [y0, y1] = [model.predict(x!) as tf.Tensor, loaded.predict(x!) as tf.Tensor];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y0, y1))).dataSync()[0]!);
    const scale = tf.tidy(() => tf.max(tf.abs(y0)).dataSync()[0]!);
    // Softmax outputs: float16 keeps them to ~1e-3 of the largest, uint8 to a few percent.
    expect(diff).toBeGreaterThan(0);
    expect(diff / scale).toBeLessThan(dtype === 'float16' ? 5e-3 : 0.1);
    tf.dispose([x!, y0, y1]);
    model.dispose();
    loaded.dispose();
  });
});
