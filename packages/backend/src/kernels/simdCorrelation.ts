/**
 * A WebAssembly SIMD function, assembled here at run time, for a stride-1 correlation of an input whose
 * padding is written out, directly on the wasm backend's memory:
 *   out[b, y, x, c] = Σ_p Σ_{q, k} xp[b, y + p, x + q, k] · g[p, q, k, c].
 * A convolution's input gradient is one (xp: dy padded, g: the filter rotated by 180° with its channel axes
 * swapped). For one tap row p, (q, k) runs over kw·K consecutive floats of xp and of g's rows, so the inner
 * loop walks both with fixed steps. Each block of R neighbouring outputs × 4·V channels keeps its R·V
 * four-lane sums in registers; every sum runs over p, then q, then k, in order.
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/**
 * Signature of the assembled function: byte addresses in the memory, sizes in elements. Computes outputs
 * x in [x0, x1) of every row (x1 − x0 a multiple of the module's R); c % (4·V) === 0 and xp has the
 * module's K channels. `bias` (c floats) starts every sum in a module assembled with a bias; others ignore it.
 */
export type Correlation = (
  xp: number, g: number, out: number, n: number, hp: number, wp: number, ho: number, wo: number,
  c: number, kh: number, kw: number, x0: number, x1: number, bias: number,
) => void;

const load = (offset: number) => simd(0x00, 0, ...uleb(offset)); // v128.load
const store = (offset: number) => simd(0x0b, 0, ...uleb(offset)); // v128.store
const loadSplat = (offset: number) => simd(0x09, 0, ...uleb(offset)); // v128.load32_splat
const zero = simd(0x0c, ...new Array<number>(16).fill(0)); // v128.const 0
const F32X4_ADD = 0xe4, F32X4_MUL = 0xe6;

// Params 0–13, then i32 locals, then v128 locals.
const XP = 0, G = 1, OUT = 2, N = 3, HP = 4, WP = 5, HO = 6, WO = 7, C = 8, KH = 9, KW = 10, X0 = 11, X1 = 12, BIAS = 13;
const PARAMS = 14;
const LOCALS = ['B', 'Y', 'X', 'CBB', 'P', 'J', 'XA', 'GA', 'XIMG', 'XROW', 'OROW', 'OA', 'CB4', 'JN', 'WPB', 'GPB'] as const;
const L = Object.fromEntries(LOCALS.map((name, k) => [name, PARAMS + k])) as Record<(typeof LOCALS)[number], number>;
const V128_BASE = PARAMS + LOCALS.length;

function body(r: number, v: number, k: number, bias: boolean): number[] {
  const acc = (row: number, j: number) => V128_BASE + row * v + j;
  const gv = (j: number) => V128_BASE + r * v + j;
  const s = V128_BASE + r * v + v;
  const perTap: number[] = [];
  for (let j = 0; j < v; j++) perTap.push(...get(L.GA), ...load(16 * j), ...set(gv(j)));
  for (let row = 0; row < r; row++) {
    perTap.push(...get(L.XA), ...loadSplat(4 * k * row), ...set(s));
    for (let j = 0; j < v; j++) {
      perTap.push(...get(acc(row, j)), ...get(s), ...get(gv(j)), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(row, j)));
    }
  }
  perTap.push(...get(L.XA), ...i32(4), ADD, ...set(L.XA), ...get(L.GA), ...get(L.CB4), ADD, ...set(L.GA));
  const perTapRow = [
    // xa = xrow + x·K·4 + p·wp·K·4; ga = g + p·kw·K·c·4 + cbb
    ...get(L.XROW), ...get(L.X), ...i32(4 * k), MUL, ADD, ...get(L.P), ...get(L.WPB), MUL, ADD, ...set(L.XA),
    ...get(G), ...get(L.P), ...get(L.GPB), MUL, ADD, ...get(L.CBB), ADD, ...set(L.GA),
    ...loop(L.J, get(L.JN), 1, perTap),
  ];
  // Output x + row of this block, channels cbb …: oa + row·c·4 + 16j.
  const sums = (f: (row: number, j: number) => number[]): number[] => {
    const out: number[] = [];
    for (let row = 0; row < r; row++) for (let j = 0; j < v; j++) out.push(...f(row, j));
    return out;
  };
  const rowAddress = (row: number) => [...get(L.OA), ...(row === 0 ? [] : [...get(L.CB4), ...i32(row), MUL, ADD])];
  const perBlock = [
    // Each sum starts at its channel's bias (as XNNPACK's do), or at 0.
    ...sums((row, j) => [...(bias ? [...get(BIAS), ...get(L.CBB), ADD, ...load(16 * j)] : zero), ...set(acc(row, j))]),
    ...loop(L.P, get(KH), 1, perTapRow),
    ...get(L.OROW), ...get(L.X), ...get(L.CB4), MUL, ADD, ...get(L.CBB), ADD, ...set(L.OA),
    ...sums((row, j) => [...rowAddress(row), ...get(acc(row, j)), ...store(16 * j)]),
  ];
  const perRow = [
    ...get(L.XIMG), ...get(L.Y), ...get(L.WPB), MUL, ADD, ...set(L.XROW),
    // orow = out + (b·ho + y)·wo·c·4
    ...get(OUT), ...get(L.B), ...get(HO), MUL, ...get(L.Y), ADD, ...get(WO), MUL, ...get(L.CB4), MUL, ADD, ...set(L.OROW),
    ...loop(L.X, get(X1), r, loop(L.CBB, get(L.CB4), 16 * v, perBlock), get(X0)),
  ];
  const perImage = [
    ...get(XP), ...get(L.B), ...get(HP), MUL, ...get(L.WPB), MUL, ADD, ...set(L.XIMG),
    ...loop(L.Y, get(HO), 1, perRow),
  ];
  const code = [
    ...get(C), ...i32(4), MUL, ...set(L.CB4),
    ...get(KW), ...i32(k), MUL, ...set(L.JN),
    ...get(WP), ...i32(4 * k), MUL, ...set(L.WPB),
    ...get(L.JN), ...get(L.CB4), MUL, ...set(L.GPB),
    ...loop(L.B, get(N), 1, perImage),
    0x0b,
  ];
  return [2, ...uleb(LOCALS.length), 0x7f, ...uleb(r * v + v + 1), 0x7b, ...code];
}

/**
 * The module's bytes for blocks of r outputs × 4·v channels over k input channels; `shared` matches a threaded
 * backend's memory, `bias` starts the sums at the bias.
 */
export function correlationModule(r: number, v: number, k: number, shared: boolean, bias = false): Uint8Array {
  return functionModule(PARAMS, body(r, v, k, bias), shared);
}

/**
 * The block for c output channels: the widest v (vectors of 4 channels) ≤ 4 dividing c / 4, with the number of
 * neighbouring outputs r that measured fastest for it (more sums per block spill registers: r = 5 at v = 2 is
 * slower than r = 3).
 */
export function correlationBlockFor(c: number): { r: number; v: number } | null {
  if (c % 4 !== 0 || c === 0) return null;
  const v = (c / 4) % 4 === 0 ? 4 : (c / 4) % 2 === 0 ? 2 : 1;
  return { r: v === 4 ? 2 : v === 2 ? 3 : 4, v };
}

const byVariant = new Map<string, (memory: WasmMemory) => Correlation | null>();

/**
 * The assembled function for blocks r × 4·v over k input channels (starting at a bias or not), bound to
 * `memory`, or null where WebAssembly SIMD is unavailable.
 */
export function correlationOn(memory: WasmMemory, r: number, v: number, k: number, bias = false): Correlation | null {
  const key = `${r}x${v}k${k}${bias ? 'b' : ''}`;
  let on = byVariant.get(key);
  if (on === undefined) byVariant.set(key, (on = assembledOn<Correlation>((shared) => correlationModule(r, v, k, shared, bias))));
  return on(memory);
}
