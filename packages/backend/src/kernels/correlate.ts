import { engine, type Tensor1D, type Tensor4D } from '@tensorflow/tfjs-core';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { padSpatial, type ExplicitPad } from './padOrCrop';
import { correlationBlockFor, correlationOn } from './simdCorrelation';
import { addressOf, memoryOf } from './wasmAssembler';

/**
 * Whether a forward product (a convolution, a matmul) should take the correlation rather than XNNPACK: only where
 * XNNPACK runs on one thread. With more it splits its conv and matmul over them and ties or wins (measured
 * 0.70–1.35× ours at conv shapes on 2 threads), where on one thread the correlation is 1.2–1.4× faster.
 */
export function forwardByCorrelation(): boolean {
  return getThreadsCount() === 1;
}

/**
 * The stride-1 correlation out[b, y, x, c] = bias[c] + Σ_{p, q, k} xp[b, y + p, x + q, k] · g[p, q, k, c], where
 * xp is `input.x` padded by `input.pad`, by the assembled SIMD function; null where that does not apply (c not a
 * multiple of 4, nothing to compute, no SIMD). Without `bias` the sums start at 0. The outputs of each row go in
 * blocks of the function's r, the rest one by one.
 */
export function correlate(input: { x: Tensor4D; pad: ExplicitPad }, g: Tensor4D, bias?: Tensor1D): Tensor4D | null {
  const [n, h, w, k] = input.x.shape;
  const [, [top, bottom], [left, right]] = input.pad;
  const [kh, kw, , c] = g.shape;
  const hp = h + top + bottom, wp = w + left + right;
  const ho = hp - kh + 1, wo = wp - kw + 1;
  const block = correlationBlockFor(c);
  if (block === null || n * ho * wo * k === 0 || ho <= 0 || wo <= 0) return null;
  const backend = engine().backend as BackendWasm;
  const memory = memoryOf(backend);
  const blocks = memory ? correlationOn(memory, block.r, block.v, k, bias !== undefined) : null;
  const single = memory ? correlationOn(memory, 1, block.v, k, bias !== undefined) : null;
  if (blocks === null || single === null) return null;
  const xp = padSpatial(input.x, input.pad);
  const out = backend.makeOutput([n, ho, wo, c], 'float32');
  const args = [addressOf(backend, xp), addressOf(backend, g), addressOf(backend, out), n, hp, wp, ho, wo, c, kh, kw] as const;
  const at = bias === undefined ? 0 : addressOf(backend, bias);
  const split = wo - (wo % block.r);
  if (split > 0) blocks(...args, 0, split, at);
  if (split < wo) single(...args, split, wo, at);
  return engine().makeTensorFromTensorInfo(out) as Tensor4D;
}
