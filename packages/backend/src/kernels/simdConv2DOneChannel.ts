/**
 * A WebAssembly SIMD function, assembled here at run time, for a forward convolution with ONE input
 * channel (a first conv layer), NHWC, bias added and optionally a ReLU, directly on the wasm backend's
 * memory:
 *   out[b, i, j, k] = act(bias[k] + Σ_{(y, p) ∈ rows[i]} Σ_{(x, q) ∈ cols[j]} x[b, y, x] · f[p, q, 0, k]),
 * where rows[i] lists the taps p that read an input row y inside the image (and cols[j] the same for
 * columns): tables made in JavaScript, so stride, dilation and padding cost nothing in the loop. Each
 * output keeps a block of 4·c channels in c registers; each tap is one splatted input value times c
 * filter vectors, and away from the edges two neighbouring outputs share each filter vector loaded.
 * Each sum runs bias first, then the taps row by row, as XNNPACK's does.
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/**
 * Signature of the assembled function: byte addresses in the memory. `rows` holds, per output row, a
 * count then (x row byte offset, filter row byte offset) pairs, `rowStride` bytes per row; `cols` the
 * same per output column (x column and filter column byte offsets); co % (4·c) === 0. Outputs j in
 * [j0, j1), j1 − j0 even, go in pairs: each must see every column tap, x offsets rising by xStep bytes with j.
 */
export type Conv1Forward = (
  x: number, f: number, bias: number, out: number, rows: number, cols: number, n: number, ho: number, wo: number,
  co: number, xImageBytes: number, rowStride: number, colStride: number, xStep: number, j0: number, j1: number,
) => void;

const load = (offset: number) => simd(0x00, 0, ...uleb(offset)); // v128.load
const store = (offset: number) => simd(0x0b, 0, ...uleb(offset)); // v128.store
const loadSplat = simd(0x09, 0, 0); // v128.load32_splat
const loadI32 = (offset: number) => [0x28, 2, ...uleb(offset)]; // i32.load
const zero = simd(0x0c, ...new Array<number>(16).fill(0)); // v128.const 0
const F32X4_ADD = 0xe4, F32X4_MUL = 0xe6, F32X4_MAX = 0xe9;

const X = 0, F = 1, BIAS = 2, OUT = 3, ROWS = 4, COLS = 5, N = 6, HO = 7, WO = 8, CO = 9, XIMG_BYTES = 10, ROW_STRIDE = 11, COL_STRIDE = 12;
const XSTEP = 13, J0 = 14, J1 = 15;
const B = 16, I = 17, J = 18, XIMG = 19, RROW = 20, CCOL = 21, KB = 22, RP = 23, RPEND = 24, CP = 25, CPEND = 26, XR = 27, FR = 28, FA = 29, OA = 30, COB = 31, XA = 32;
const I32_LOCALS = 17;
const PARAMS = 16;
const V128 = PARAMS + I32_LOCALS;

/**
 * m neighbouring outputs (j … j+m−1, each seeing every column tap of j, x moving xStep bytes per output)
 * × one block of 4·c channels: the filter vector is loaded once for the m.
 */
function block(m: number, c: number, relu: boolean): number[] {
  const acc = (o: number, v: number) => V128 + o * c + v;
  const splat = (o: number) => V128 + m * c + o;
  const fv = V128 + m * c + m;
  const perTap: number[] = [...get(XR), ...get(CP), ...loadI32(0), ADD, ...set(XA)];
  for (let o = 0; o < m; o++) perTap.push(...get(XA), ...(o === 0 ? [] : [...get(XSTEP), ...i32(o), MUL, ADD]), ...loadSplat, ...set(splat(o)));
  perTap.push(...get(FR), ...get(CP), ...loadI32(4), ADD, ...set(FA));
  for (let v = 0; v < c; v++) {
    perTap.push(...get(FA), ...load(16 * v), ...set(fv));
    for (let o = 0; o < m; o++) perTap.push(...get(acc(o, v)), ...get(splat(o)), ...get(fv), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(o, v)));
  }
  const perRowTap = [
    ...get(XIMG), ...get(RP), ...loadI32(0), ADD, ...set(XR),
    ...get(F), ...get(RP), ...loadI32(4), ADD, ...get(KB), ADD, ...set(FR),
    ...loop(CP, get(CPEND), 8, perTap, [...get(CCOL), ...i32(4), ADD]),
  ];
  const code: number[] = [];
  for (let o = 0; o < m; o++) for (let v = 0; v < c; v++) code.push(...get(BIAS), ...get(KB), ADD, ...load(16 * v), ...set(acc(o, v)));
  code.push(...loop(RP, get(RPEND), 8, perRowTap, [...get(RROW), ...i32(4), ADD]));
  for (let o = 0; o < m; o++) {
    for (let v = 0; v < c; v++) {
      const address = [...get(OA), ...(o === 0 ? [] : [...get(COB), ...i32(o), MUL, ADD]), ...get(KB), ADD];
      code.push(...address, ...get(acc(o, v)), ...(relu ? [...zero, ...simd(F32X4_MAX)] : []), ...store(16 * v));
    }
  }
  return code;
}

/** Outputs j … j+m−1 of row i, block by block; then the output address moves on by m outputs. */
function outputs(m: number, c: number, relu: boolean): number[] {
  return [
    ...get(COLS), ...get(J), ...get(COL_STRIDE), MUL, ADD, ...set(CCOL),
    ...get(CCOL), ...i32(4), ADD, ...get(CCOL), ...loadI32(0), ...i32(8), MUL, ADD, ...set(CPEND),
    ...loop(KB, get(COB), 16 * c, block(m, c, relu)),
    ...get(OA), ...get(COB), ...i32(m), MUL, ADD, ...set(OA),
  ];
}

function body(c: number, cp: number, relu: boolean): number[] {
  const perRow = [
    ...get(ROWS), ...get(I), ...get(ROW_STRIDE), MUL, ADD, ...set(RROW),
    ...get(RROW), ...i32(4), ADD, ...get(RROW), ...loadI32(0), ...i32(8), MUL, ADD, ...set(RPEND),
    ...loop(J, get(J0), 1, outputs(1, c, relu)),
    ...loop(J, get(J1), 2, outputs(2, cp, relu), get(J0)),
    ...loop(J, get(WO), 1, outputs(1, c, relu), get(J1)),
  ];
  const perImage = [
    ...get(X), ...get(B), ...get(XIMG_BYTES), MUL, ADD, ...set(XIMG),
    ...loop(I, get(HO), 1, perRow),
  ];
  const code = [
    ...get(CO), ...i32(4), MUL, ...set(COB),
    ...get(OUT), ...set(OA),
    ...loop(B, get(N), 1, perImage),
    0x0b,
  ];
  return [2, ...uleb(I32_LOCALS), 0x7f, ...uleb(Math.max(c + 2, 2 * cp + 3)), 0x7b, ...code];
}

/**
 * The module's bytes for blocks of 4·c channels per output (4·cp per pair of outputs), with or without
 * a ReLU; `shared` matches a threaded backend's memory.
 */
export function conv1ForwardModule(c: number, cp: number, relu: boolean, shared: boolean): Uint8Array {
  return functionModule(PARAMS, body(c, cp, relu), shared);
}

const byVariant = new Map<string, (memory: WasmMemory) => Conv1Forward | null>();

/**
 * The block width (vectors of 4 channels per pass) for co channels: the largest ≤ `max` dividing co / 4,
 * or null. 8 for one output at a time, 4 for a pair (the accumulators stay within 16 vector registers).
 */
export function forwardBlockFor(co: number, max: number): number | null {
  if (co % 4 !== 0 || co === 0) return null;
  for (let c = max; c >= 1; c--) if ((co / 4) % c === 0) return c;
  return null;
}

/** The assembled function for blocks c and cp ({@link conv1ForwardModule}) bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function conv1ForwardOn(memory: WasmMemory, c: number, cp: number, relu: boolean): Conv1Forward | null {
  const key = `${c},${cp}${relu ? 'r' : ''}`;
  let on = byVariant.get(key);
  if (on === undefined) byVariant.set(key, (on = assembledOn<Conv1Forward>((shared) => conv1ForwardModule(c, cp, relu, shared))));
  return on(memory);
}
