import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { backend_util, depthwiseConv2d, engine, fused, grads, mul, pad as padOp, reshape, separableConv2d, slice, stridedSlice, sum, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../registerWasmTrainingKernels';
import { compareWithCpu, createRng, int, pick, sizeOf, values, type Rng, type Tolerance } from '../test-utils/oracle';

// Per element, |wasm − cpu| ≤ rtol·|cpu| + atol·max|cpu|; the worst case measured is printed (≈ 0.3 of this).
const TOL: Tolerance = { rtol: 5e-6, atol: 5e-7 };

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface DepthwiseCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  label: string;
}

/** A random depthwise conv: strides or dilations (tfjs allows one of them > 1), any padding, multipliers 1–3. */
function depthwiseCase(rng: Rng, dilated: boolean): DepthwiseCase {
  const n = int(rng, 1, 3), h = int(rng, 1, 13), w = int(rng, 1, 13);
  const ci = pick(rng, [1, 2, 3, 8]), m = pick(rng, [1, 1, 2, 3]);
  const strides: [number, number] = dilated ? [1, 1] : [pick(rng, [1, 2, 3]), pick(rng, [1, 2])];
  const dilations: [number, number] = dilated ? [pick(rng, [1, 2, 3]), pick(rng, [1, 2])] : [1, 1];
  let kh = pick(rng, [1, 2, 3, 5]), kw = pick(rng, [1, 2, 3, 5]);
  const padKind = pick(rng, ['same', 'valid', 'explicit'] as const);
  let t = 0, b = 0, l = 0, r = 0;
  if (padKind === 'explicit') [t, b, l, r] = [int(rng, 0, 2), int(rng, 0, 2), int(rng, 0, 2), int(rng, 0, 2)];
  if (padKind !== 'same') {
    // The dilated filter must fit in the padded input.
    while (kh > 1 && (kh - 1) * dilations[0] + 1 > h + t + b) kh--;
    while (kw > 1 && (kw - 1) * dilations[1] + 1 > w + l + r) kw--;
  }
  const pad: Pad = padKind === 'explicit' ? [[0, 0], [t, b], [l, r], [0, 0]] : padKind;
  const label = `x=[${n},${h},${w},${ci}] f=[${kh},${kw},${ci},${m}] s=${strides} d=${dilations} pad=${JSON.stringify(pad)}`;
  return { x: [n, h, w, ci], filter: [kh, kw, ci, m], strides, dilations, pad, label };
}

/**
 * A dilated filter as the undilated filter it equals: d − 1 zeros between taps. The cpu backend's
 * backprop kernels ignore dilations, so dilated cases are checked against this expansion at dilation 1.
 */
function dilateFilter(f: Tensor4D, [dh, dw]: [number, number]): Tensor4D {
  return tidy(() => {
    const [kh, kw, ci, m] = f.shape;
    const six = reshape(f, [kh, 1, kw, 1, ci, m]);
    const spread = padOp(six, [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    const full = reshape(spread, [kh * dh, kw * dw, ci, m]);
    return slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, m]) as Tensor4D;
  });
}

describe('DepthwiseConv2dNativeBackpropInput and …Filter on wasm', () => {
  beforeAll(() => registerWasmTrainingKernels());

  it('match the cpu backend over random shapes, strides, dilations, multipliers and paddings', async () => {
    const rng = createRng(5150);
    const failures: string[] = [];
    let worst = 0, worstRatio = 0;
    for (let i = 0; i < 80; i++) {
      const c = depthwiseCase(rng, i % 3 === 2);
      const info = backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true);
      const inputs = {
        x: { data: values(rng, sizeOf(c.x)), shape: c.x },
        filter: { data: values(rng, sizeOf(c.filter)), shape: c.filter },
        dy: { data: values(rng, sizeOf(info.outShape)), shape: info.outShape },
      };
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const r = await compareWithCpu(
        inputs,
        (t) => [
          engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: t.dy!, filter: t.filter! }, { ...attrs, inputShape: c.x }) as Tensor,
          engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t.x!, dy: t.dy! }, { ...attrs, filterShape: c.filter }) as Tensor,
        ],
        TOL,
        (t) => {
          // Reference: the same conv with the dilated filter written out, at dilation 1.
          const f = dilateFilter(t.filter as Tensor4D, c.dilations);
          const plain = { ...attrs, dilations: [1, 1] };
          const dx = engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: t.dy!, filter: f }, { ...plain, inputShape: c.x }) as Tensor;
          const dWFull = engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t.x!, dy: t.dy! }, { ...plain, filterShape: f.shape }) as Tensor;
          const dW = stridedSlice(dWFull, [0, 0, 0, 0], f.shape, [c.dilations[0], c.dilations[1], 1, 1]);
          f.dispose();
          dWFull.dispose();
          return [dx, dW];
        },
      );
      worst = Math.max(worst, r.relative);
      worstRatio = Math.max(worstRatio, r.ratio);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`${c.label}: ${JSON.stringify(r)}`);
    }
    console.log(`depthwise backprop kernels: worst max-relative error ${worst.toExponential(2)}, worst element at ${worstRatio.toFixed(2)} of the tolerance, 80 shapes`);
    expect(failures).toEqual([]);
  });

  it('gradients of depthwiseConv2d, fused depthwiseConv2d and separableConv2d match the cpu backend', async () => {
    const rng = createRng(77);
    const failures: string[] = [];
    for (let i = 0; i < 24; i++) {
      const c = depthwiseCase(rng, false); // tfjs's gradients refuse dilations > 1
      const [, , ci, m] = c.filter;
      const co = pick(rng, [1, 4]);
      const info = backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, true);
      const inputs = {
        x: { data: values(rng, sizeOf(c.x)), shape: c.x },
        filter: { data: values(rng, sizeOf(c.filter)), shape: c.filter },
        bias: { data: values(rng, ci * m), shape: [ci * m] },
        pointwise: { data: values(rng, ci * m * co), shape: [1, 1, ci * m, co] },
        weight: { data: values(rng, sizeOf(info.outShape)), shape: info.outShape },
        weightSep: { data: values(rng, sizeOf(info.outShape.slice(0, 3)) * co), shape: [...info.outShape.slice(0, 3), co] },
      };
      const r = await compareWithCpu(
        inputs,
        (t) => {
          const plain = grads((x: Tensor, f: Tensor) => sum(mul(depthwiseConv2d(x as Tensor4D, f as Tensor4D, c.strides, c.pad), t.weight!)));
          const fusedGrad = grads((x: Tensor, f: Tensor, b: Tensor) =>
            // fused.depthwiseConv2d's type omits explicit padding, which it passes on to the kernel as conv2d does.
            sum(mul(fused.depthwiseConv2d({ x: x as Tensor4D, filter: f as Tensor4D, strides: c.strides, pad: c.pad as 'same', bias: b }), t.weight!)),
          );
          const out = [...plain([t.x!, t.filter!]), ...fusedGrad([t.x!, t.filter!, t.bias!])];
          if (c.pad !== 'same' && c.pad !== 'valid') return out; // separableConv2d takes 'same' or 'valid'
          const sep = grads((x: Tensor, f: Tensor, p: Tensor) =>
            sum(mul(separableConv2d(x as Tensor4D, f as Tensor4D, p as Tensor4D, c.strides, c.pad as 'same' | 'valid'), t.weightSep!)),
          );
          return [...out, ...sep([t.x!, t.filter!, t.pointwise!])];
        },
        TOL,
      );
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`${c.label}: ${JSON.stringify(r)}`);
    }
    expect(failures).toEqual([]);
  });
});
