import { io } from '@tensorflow/tfjs-core';
import { float16Bits } from './float16';

/** The weight quantizations every tfjs loader decodes from a weights manifest (tfjs-converter's `--quantize_*`). */
export type WeightQuantization = 'float16' | 'uint8';

/** The quantized artifacts and what quantizing changed. */
export interface QuantizedArtifacts {
  /** The same model with float32 weights stored as `dtype` and each spec's `quantization` field set. */
  artifacts: io.ModelArtifacts;
  dtype: WeightQuantization;
  /** Bytes of weight data before and after. */
  bytes: { before: number; after: number };
  /** Weights quantized (float32 ones); others (int32) are kept as they are. */
  quantized: number;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Quantizes one float32 weight: float16 bits, or uint8 over its [min, max] nudged so that 0 is exact. */
function quantizeWeight(values: Float32Array, dtype: WeightQuantization, name: string): { bytes: Uint8Array; meta: { dtype: WeightQuantization; scale?: number; min?: number } } {
  if (dtype === 'float16') {
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const bits = float16Bits(values[i]!);
      // A finite weight beyond float16's range would load as Infinity: refuse rather than corrupt the model.
      if ((bits & 0x7c00) === 0x7c00 && Number.isFinite(values[i]!)) {
        throw new Error(`quantizeArtifacts: weight '${name}' holds ${values[i]}, beyond float16's range (±65504); use uint8 or keep float32`);
      }
      half[i] = bits;
    }
    return { bytes: new Uint8Array(half.buffer), meta: { dtype } };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error(`quantizeArtifacts: weight '${name}' holds ${v}; only finite weights can be quantized`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const bytes = new Uint8Array(values.length);
  if (values.length === 0 || lo === hi) return { bytes, meta: { dtype, scale: 1, min: values.length === 0 ? 0 : lo } };
  // As tfjs-converter (after TF-Lite's NudgeQuantizationRange): when the range covers 0, shift it so 0 is a level.
  const scale = (hi - lo) / 255;
  let min = lo;
  if (lo <= 0 && hi >= 0) min = -Math.round(-lo / scale) * scale;
  const max = min + 255 * scale;
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round((Math.min(max, Math.max(min, values[i]!)) - min) / scale);
  return { bytes, meta: { dtype, scale, min } };
}

/**
 * Quantizes the float32 weights of saved model artifacts (from `model.save(io.withSaveHandler(…))`) to float16 or
 * uint8, writing the standard `quantization` field of each weights-manifest entry as tfjs-converter does, so any
 * tfjs loader (`loadLayersModel`, `io.decodeWeights`) dequantizes them: float16 keeps about 3 significant digits
 * (relative error ≤ 2⁻¹¹), uint8 maps each weight's [min, max] onto 256 levels (error ≤ scale / 2, with 0 exact so
 * pruned or zero weights stay 0). Returns new artifacts; the given ones are not changed.
 *
 * @param artifacts - saved model artifacts (`modelArtifacts(model)`).
 * @param dtype - `'float16'` or `'uint8'`.
 * @returns New artifacts, and the weight bytes before and after.
 *
 * @example
 * ```ts
 * import { modelArtifacts, quantizeArtifacts } from '@prune/core';
 *
 * const { bytes } = quantizeArtifacts(await modelArtifacts(model), 'uint8');
 * console.log(`${bytes.before} → ${bytes.after} bytes of weights`);
 * ```
 */
export function quantizeArtifacts(artifacts: io.ModelArtifacts, dtype: WeightQuantization): QuantizedArtifacts {
  if (dtype !== 'float16' && dtype !== 'uint8') throw new Error(`quantizeArtifacts: dtype must be 'float16' or 'uint8', got ${JSON.stringify(dtype)}`);
  const specs = artifacts.weightSpecs ?? [];
  const data = io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
  const parts: Uint8Array[] = [];
  const out: io.WeightsManifestEntry[] = [];
  let offset = 0;
  let quantized = 0;
  for (const spec of specs) {
    if (spec.quantization !== undefined) throw new Error(`quantizeArtifacts: weight '${spec.name}' is already quantized (${spec.quantization.dtype}); quantize float32 weights only`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const width = BYTES[spec.dtype];
    if (width === undefined) throw new Error(`quantizeArtifacts: weight '${spec.name}' has dtype ${spec.dtype}, which a layers model's weights never have`);
    if (offset + size * width > data.byteLength) throw new Error(`quantizeArtifacts: the weight data (${data.byteLength} bytes) ends inside weight '${spec.name}'`);
    const raw = new Uint8Array(data, offset, size * width);
    offset += size * width;
    if (spec.dtype !== 'float32') {
      parts.push(raw);
      out.push({ ...spec });
      continue;
    }
    const { bytes, meta } = quantizeWeight(new Float32Array(raw.slice().buffer), dtype, spec.name);
    parts.push(bytes);
    out.push({ ...spec, quantization: meta });
    quantized += 1;
  }
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.length;
  }
  return {
    artifacts: { ...artifacts, weightSpecs: out, weightData: weightData.buffer },
    dtype,
    bytes: { before: data.byteLength, after: weightData.byteLength },
    quantized,
  };
}
