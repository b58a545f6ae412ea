/**
 * A WebAssembly SIMD function, assembled here at run time, for the input gradient of a convolution with
 * ONE input channel (a first conv layer), directly on the wasm backend's memory:
 *   dx[b, y, x] = Σ_{(p, i) ∈ rows[y]} Σ_{(q, j) ∈ cols[x]} Σ_k dy[b, i, j, k] · f[p, q, 0, k],
 * where rows[y] lists the taps p (and dy rows i = (y + top − p) / sh) that reach input row y, and cols[x]
 * the same for columns. The tap lists are tables made in JavaScript, so stride and padding cost nothing
 * in the loop and no tap reads padding. The sum over k is four lanes at a time (co % 4 === 0). Where the
 * columns of four neighbouring outputs all see every tap (stride 1 across, away from the edges), the four
 * are computed together so that each filter vector is loaded once for all four.
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/**
 * Signature of the assembled function: byte addresses in the memory. `rows` holds, per input row, a count
 * then (dy row byte offset, filter row byte offset) pairs, `rowStride` bytes per row; `cols` the same per
 * input column (dy column and filter column byte offsets). Outputs x in [x0, x1) with x1 − x0 a multiple
 * of 4 take the four-wide path: each must see every column tap, column offsets rising by co·4 with x.
 */
export type Conv1InputGrad = (
  dy: number, f: number, dx: number, rows: number, cols: number, n: number, h: number, w: number,
  dyImageBytes: number, rowStride: number, colStride: number, x0: number, x1: number,
) => void;

const load = (offset: number) => simd(0x00, 0, ...uleb(offset)); // v128.load
const loadI32 = (offset: number) => [0x28, 2, ...uleb(offset)]; // i32.load
const storeF32 = (offset: number) => [0x38, 2, ...uleb(offset)]; // f32.store
const zero = simd(0x0c, ...new Array<number>(16).fill(0)); // v128.const 0
const shuffle = (lanes: number[]) => simd(0x0d, ...lanes); // i8x16.shuffle
const store = simd(0x0b, 0, 0); // v128.store
const lanes = (...l: number[]) => l.flatMap((k) => [4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3]);
const F32X4_ADD = 0xe4, F32X4_MUL = 0xe6, EXTRACT_LANE = 0x1f;

// Params 0–12, then i32 locals, then v128 locals.
const DY = 0, F = 1, DX = 2, ROWS = 3, COLS = 4, N = 5, H = 6, W = 7, DYIMG_BYTES = 8, ROW_STRIDE = 9, COL_STRIDE = 10, X0 = 11, X1 = 12;
const B = 13, Y = 14, X = 15, DYIMG = 16, DXROW = 17, RROW = 18, CCOL = 19, RP = 20, RPEND = 21, CP = 22, CPEND = 23, DR = 24, FR = 25, DA = 26, FA = 27;
const I32_LOCALS = 15;
const V128 = 13 + I32_LOCALS;

/** acc[0] … acc[a−1] summed, then the lanes of the sum: left on the stack as one f32. */
function reduce(acc: (k: number) => number, a: number): number[] {
  const out = [...get(acc(0))];
  for (let k = 1; k < a; k++) out.push(...get(acc(k)), ...simd(F32X4_ADD));
  const t = acc(0);
  out.push(...set(t), ...get(t), ...get(t), ...get(t), ...shuffle(lanes(2, 3, 0, 1)), ...simd(F32X4_ADD), ...set(t));
  out.push(...get(t), ...get(t), ...get(t), ...shuffle(lanes(1, 0, 3, 2)), ...simd(F32X4_ADD), ...simd(EXTRACT_LANE, 0));
  return out;
}

/** One output at (y, x) by the row and column tap tables, its v vectors of channels into a ≤ 4 accumulators. */
function single(v: number): number[] {
  const a = Math.min(v, 4);
  const acc = (k: number) => V128 + k;
  const perTap: number[] = [...get(DR), ...get(CP), ...loadI32(0), ADD, ...set(DA), ...get(FR), ...get(CP), ...loadI32(4), ADD, ...set(FA)];
  for (let k = 0; k < v; k++) {
    perTap.push(...get(acc(k % a)), ...get(DA), ...load(16 * k), ...get(FA), ...load(16 * k), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(k % a)));
  }
  const perRowTap = [
    ...get(DYIMG), ...get(RP), ...loadI32(0), ADD, ...set(DR),
    ...get(F), ...get(RP), ...loadI32(4), ADD, ...set(FR),
    ...loop(CP, get(CPEND), 8, perTap, [...get(CCOL), ...i32(4), ADD]),
  ];
  const code: number[] = [];
  for (let k = 0; k < a; k++) code.push(...zero, ...set(acc(k)));
  code.push(...get(CCOL), ...i32(4), ADD, ...get(CCOL), ...loadI32(0), ...i32(8), MUL, ADD, ...set(CPEND));
  code.push(...get(RROW), ...i32(4), ADD, ...get(RROW), ...loadI32(0), ...i32(8), MUL, ADD, ...set(RPEND));
  code.push(...loop(RP, get(RPEND), 8, perRowTap, [...get(RROW), ...i32(4), ADD]));
  code.push(...get(DXROW), ...get(X), ...i32(4), MUL, ADD, ...reduce(acc, a), ...storeF32(0));
  return code;
}

/**
 * Four outputs x … x+3 of row y, each seeing every column tap: one accumulator pair per output
 * (alternate channel vectors), the filter vector loaded once for the four; output o reads dy o·co·4 bytes on.
 */
function four(v: number): number[] {
  const acc = (o: number, par: number) => V128 + 2 * o + par;
  const fv = V128 + 8;
  const perTap: number[] = [...get(DR), ...get(CP), ...loadI32(0), ADD, ...set(DA), ...get(FR), ...get(CP), ...loadI32(4), ADD, ...set(FA)];
  for (let k = 0; k < v; k++) {
    perTap.push(...get(FA), ...load(16 * k), ...set(fv));
    for (let o = 0; o < 4; o++) {
      perTap.push(...get(acc(o, k % 2)), ...get(DA), ...load(16 * k + 16 * v * o), ...get(fv), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(o, k % 2)));
    }
  }
  const perRowTap = [
    ...get(DYIMG), ...get(RP), ...loadI32(0), ADD, ...set(DR),
    ...get(F), ...get(RP), ...loadI32(4), ADD, ...set(FR),
    ...loop(CP, get(CPEND), 8, perTap, [...get(CCOL), ...i32(4), ADD]),
  ];
  const code: number[] = [];
  for (let k = 0; k < 8; k++) code.push(...zero, ...set(V128 + k));
  code.push(...get(CCOL), ...i32(4), ADD, ...get(CCOL), ...loadI32(0), ...i32(8), MUL, ADD, ...set(CPEND));
  code.push(...get(RROW), ...i32(4), ADD, ...get(RROW), ...loadI32(0), ...i32(8), MUL, ADD, ...set(RPEND));
  code.push(...loop(RP, get(RPEND), 8, perRowTap, [...get(RROW), ...i32(4), ADD]));
  // Pairs summed, then the 4×4 lane sums transposed into one vector [Σ0, Σ1, Σ2, Σ3].
  for (let o = 0; o < 4; o++) code.push(...get(acc(o, 0)), ...get(acc(o, 1)), ...simd(F32X4_ADD), ...set(acc(o, 0)));
  const half = (o1: number, o2: number, target: number) => [
    ...get(acc(o1, 0)), ...get(acc(o2, 0)), ...shuffle(lanes(0, 1, 4, 5)),
    ...get(acc(o1, 0)), ...get(acc(o2, 0)), ...shuffle(lanes(2, 3, 6, 7)), ...simd(F32X4_ADD), ...set(target),
  ]; // [a0+a2, a1+a3, b0+b2, b1+b3]
  code.push(...half(0, 1, acc(0, 1)), ...half(2, 3, acc(1, 1)));
  code.push(
    ...get(DXROW), ...get(X), ...i32(4), MUL, ADD,
    ...get(acc(0, 1)), ...get(acc(1, 1)), ...shuffle(lanes(0, 2, 4, 6)),
    ...get(acc(0, 1)), ...get(acc(1, 1)), ...shuffle(lanes(1, 3, 5, 7)), ...simd(F32X4_ADD),
    ...store,
  );
  return code;
}

function body(v: number): number[] {
  const atColumn = (x: number[]) => [...get(COLS), ...x, ...get(COL_STRIDE), MUL, ADD, ...set(CCOL)];
  const singles = (from: number[], to: number[]) => loop(X, to, 1, [...atColumn(get(X)), ...single(v)], from);
  const perRow = [
    ...get(DX), ...get(B), ...get(H), MUL, ...get(Y), ADD, ...get(W), MUL, ...i32(4), MUL, ADD, ...set(DXROW),
    ...singles(i32(0), get(X0)),
    ...loop(X, get(X1), 4, [...atColumn(get(X)), ...four(v)], get(X0)),
    ...singles(get(X1), get(W)),
    ...get(RROW), ...get(ROW_STRIDE), ADD, ...set(RROW),
  ];
  const perImage = [
    ...get(DY), ...get(B), ...get(DYIMG_BYTES), MUL, ADD, ...set(DYIMG),
    ...get(ROWS), ...set(RROW),
    ...loop(Y, get(H), 1, perRow),
  ];
  const code = [
    ...loop(B, get(N), 1, perImage),
    0x0b,
  ];
  return [2, ...uleb(I32_LOCALS), 0x7f, ...uleb(9), 0x7b, ...code];
}

/** The module's bytes for co = 4·v output channels; `shared` matches a threaded backend's memory. */
export function conv1InputGradModule(v: number, shared: boolean): Uint8Array {
  return functionModule(13, body(v), shared);
}

const byWidth = new Map<number, (memory: WasmMemory) => Conv1InputGrad | null>();

/** The assembled function for co = 4·v bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function conv1InputGradOn(memory: WasmMemory, v: number): Conv1InputGrad | null {
  let on = byWidth.get(v);
  if (on === undefined) byWidth.set(v, (on = assembledOn<Conv1InputGrad>((shared) => conv1InputGradModule(v, shared))));
  return on(memory);
}
