/**
 * A WebAssembly SIMD function, assembled here at run time, for a forward convolution with ONE input
 * channel (a first conv layer), NHWC, bias added and optionally a ReLU, directly on the wasm backend's
 * memory:
 *   out[b, i, j, k] = act(bias[k] + Σ_{(y, p) ∈ rows[i]} Σ_{(x, q) ∈ cols[j]} x[b, y, x] · f[p, q, 0, k]),
 * where rows[i] lists the taps p that read an input row y inside the image (and cols[j] the same for
 * columns): tables made in JavaScript, so stride, dilation and padding cost nothing in the loop. Each
 * output keeps a block of 4·c channels in c registers; each tap is one splatted input value times c
 * filter vectors. XNNPACK's general conv spends most of its time on the single input channel.
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/**
 * Signature of the assembled function: byte addresses in the memory. `rows` holds, per output row, a
 * count then (x row byte offset, filter row byte offset) pairs, `rowStride` bytes per row; `cols` the
 * same per output column (x column and filter column byte offsets); co % (4·c) === 0.
 */
export type Conv1Forward = (
  x: number, f: number, bias: number, out: number, rows: number, cols: number, n: number, ho: number, wo: number,
  co: number, xImageBytes: number, rowStride: number, colStride: number,
) => void;

const load = (offset: number) => simd(0x00, 0, ...uleb(offset)); // v128.load
const store = (offset: number) => simd(0x0b, 0, ...uleb(offset)); // v128.store
const loadSplat = simd(0x09, 0, 0); // v128.load32_splat
const loadI32 = (offset: number) => [0x28, 2, ...uleb(offset)]; // i32.load
const zero = simd(0x0c, ...new Array<number>(16).fill(0)); // v128.const 0
const F32X4_ADD = 0xe4, F32X4_MUL = 0xe6, F32X4_MAX = 0xe9;

const X = 0, F = 1, BIAS = 2, OUT = 3, ROWS = 4, COLS = 5, N = 6, HO = 7, WO = 8, CO = 9, XIMG_BYTES = 10, ROW_STRIDE = 11, COL_STRIDE = 12;
const B = 13, I = 14, J = 15, XIMG = 16, RROW = 17, CCOL = 18, KB = 19, RP = 20, RPEND = 21, CP = 22, CPEND = 23, XR = 24, FR = 25, FA = 26, OA = 27, COB = 28;
const I32_LOCALS = 16;
const V128 = 13 + I32_LOCALS;

function body(c: number, relu: boolean): number[] {
  const acc = (v: number) => V128 + v;
  const s = V128 + c;
  const perTap: number[] = [...get(XR), ...get(CP), ...loadI32(0), ADD, ...loadSplat, ...set(s), ...get(FR), ...get(CP), ...loadI32(4), ADD, ...set(FA)];
  for (let v = 0; v < c; v++) perTap.push(...get(acc(v)), ...get(s), ...get(FA), ...load(16 * v), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(v)));
  const perRowTap = [
    ...get(XIMG), ...get(RP), ...loadI32(0), ADD, ...set(XR),
    ...get(F), ...get(RP), ...loadI32(4), ADD, ...get(KB), ADD, ...set(FR),
    ...loop(CP, get(CPEND), 8, perTap, [...get(CCOL), ...i32(4), ADD]),
  ];
  const perBlock: number[] = [];
  for (let v = 0; v < c; v++) perBlock.push(...get(BIAS), ...get(KB), ADD, ...load(16 * v), ...set(acc(v)));
  perBlock.push(...loop(RP, get(RPEND), 8, perRowTap, [...get(RROW), ...i32(4), ADD]));
  for (let v = 0; v < c; v++) {
    perBlock.push(...get(OA), ...get(KB), ADD, ...get(acc(v)), ...(relu ? [...zero, ...simd(F32X4_MAX)] : []), ...store(16 * v));
  }
  const perPosition = [
    ...get(COLS), ...get(J), ...get(COL_STRIDE), MUL, ADD, ...set(CCOL),
    ...get(CCOL), ...i32(4), ADD, ...get(CCOL), ...loadI32(0), ...i32(8), MUL, ADD, ...set(CPEND),
    ...loop(KB, get(COB), 16 * c, perBlock),
    ...get(OA), ...get(COB), ADD, ...set(OA),
  ];
  const perRow = [
    ...get(ROWS), ...get(I), ...get(ROW_STRIDE), MUL, ADD, ...set(RROW),
    ...get(RROW), ...i32(4), ADD, ...get(RROW), ...loadI32(0), ...i32(8), MUL, ADD, ...set(RPEND),
    ...loop(J, get(WO), 1, perPosition),
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
  return [2, ...uleb(I32_LOCALS), 0x7f, ...uleb(c + 1), 0x7b, ...code];
}

/** The module's bytes for blocks of 4·c channels, with or without a ReLU; `shared` matches a threaded backend's memory. */
export function conv1ForwardModule(c: number, relu: boolean, shared: boolean): Uint8Array {
  return functionModule(13, body(c, relu), shared);
}

const byVariant = new Map<string, (memory: WasmMemory) => Conv1Forward | null>();

/** The block width (vectors of 4 channels per pass) for co channels: the largest ≤ 8 dividing co / 4, or null. */
export function forwardBlockFor(co: number): number | null {
  if (co % 4 !== 0 || co === 0) return null;
  for (let c = 8; c >= 1; c--) if ((co / 4) % c === 0) return c;
  return null;
}

/** The assembled function for blocks of 4·c channels bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function conv1ForwardOn(memory: WasmMemory, c: number, relu: boolean): Conv1Forward | null {
  const key = `${c}${relu ? 'r' : ''}`;
  let on = byVariant.get(key);
  if (on === undefined) byVariant.set(key, (on = assembledOn<Conv1Forward>((shared) => conv1ForwardModule(c, relu, shared))));
  return on(memory);
}
