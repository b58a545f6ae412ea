/**
 * A WebAssembly SIMD function, assembled here at run time, that computes a convolution's filter gradient
 * directly on the wasm backend's memory, without a patch matrix:
 *   dW[p, q, c, k] += Σ_{i, j} xp[b, i·sh + p, j·sw + q, c] · dy[b, i, j, k]   for every image b,
 * where xp is x with its padding written out (so every tap reads memory). Each block of R input channels
 * × 4·V output channels keeps its R·V four-lane sums in registers while it walks one image's positions;
 * every sum runs over (b, i, j) in order, as the cpu backend's does. The patch matrix + XNNPACK matmul it
 * replaces spent most of its time building the matrix (one conv layer) or packing dy with few rows to
 * multiply (a first layer with one input channel).
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/**
 * Signature of the assembled function: byte addresses in the memory, sizes in elements. `dw` holds the
 * sums so far (zeros to start); ci % R === 0 and co % (4·V) === 0 for the module's R and V.
 */
export type Conv2DFilterGrad = (
  xp: number, dy: number, dw: number, n: number, hp: number, wp: number, ci: number,
  ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number,
) => void;

const load = (offset: number) => simd(0x00, 0, ...uleb(offset)); // v128.load
const store = (offset: number) => simd(0x0b, 0, ...uleb(offset)); // v128.store
const loadSplat = (offset: number) => simd(0x09, 0, ...uleb(offset)); // v128.load32_splat
const F32X4_ADD = 0xe4, F32X4_MUL = 0xe6;

// Params 0–13, then i32 locals 14–30, then v128 locals.
const [XP, DY, DW, N, HP, WP, CI, HO, WO, CO, KH, KW, SH, SW] = Array.from({ length: 14 }, (_, k) => k) as number[];
const [B, P, Q, CB, KB, I, J, XA, DA, XROW, DYROW, WA, CIB, COB, XSTEP, XROWSTEP, XIMG, DYIMG, DYROWSTEP] = Array.from({ length: 19 }, (_, k) => 14 + k) as number[];
const V128_BASE = 14 + 19;

/**
 * A block of R rows × 4·V output channels. The rows are R input channels, or, with `taps`, R neighbouring column taps
 * of an input with one channel: x[…, j·sw + q + row, 0] lies `row` floats on, as channel `row` would, and dW's
 * [p, q + row, 0, ·] lies `row`·co floats on, as [p, q, row, ·] would, so only the tap loop's step changes.
 */
export interface FilterGradBlock {
  r: number;
  v: number;
  taps: boolean;
}

/**
 * The block for a layer's channel counts and filter width: R·V sums + V dy vectors + 1 splat stay within the vector
 * registers. With one input channel, the column taps make the rows (each dy vector then serves R taps: 6 passes over
 * a 3×3 conv1's dy instead of 9).
 */
export function blockFor(ci: number, co: number, kw = 1): FilterGradBlock | null {
  if (co % 4 !== 0) return null;
  const taps = ci === 1 && (kw % 3 === 0 || kw % 2 === 0);
  const r = taps ? (kw % 3 === 0 ? 3 : 2) : ci % 4 === 0 ? 4 : ci % 2 === 0 ? 2 : 1;
  const maxV = r >= 3 ? 2 : 4;
  for (let v = maxV; v >= 1; v--) if ((co / 4) % v === 0) return { r, v, taps };
  return null;
}

function body(r: number, v: number, taps: boolean): number[] {
  const acc = (row: number, k: number) => V128_BASE + row * v + k;
  const d = (k: number) => V128_BASE + r * v + k;
  const s = V128_BASE + r * v + v;
  const perPosition: number[] = [];
  for (let k = 0; k < v; k++) perPosition.push(...get(DA!), ...load(16 * k), ...set(d(k)));
  for (let row = 0; row < r; row++) {
    perPosition.push(...get(XA!), ...loadSplat(4 * row), ...set(s));
    for (let k = 0; k < v; k++) {
      perPosition.push(...get(acc(row, k)), ...get(s), ...get(d(k)), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(row, k)));
    }
  }
  perPosition.push(...get(XA!), ...get(XSTEP!), ADD, ...set(XA!), ...get(DA!), ...get(COB!), ADD, ...set(DA!));
  const perRow = [
    ...get(XROW!), ...set(XA!), ...get(DYROW!), ...set(DA!),
    ...loop(J!, get(WO!), 1, perPosition),
    ...get(XROW!), ...get(XROWSTEP!), ADD, ...set(XROW!),
    ...get(DYROW!), ...get(DYROWSTEP!), ADD, ...set(DYROW!),
  ];
  // The sums of row `row` of the block live at WA + row·co·4 + 16k.
  const sums = (f: (row: number, k: number) => number[]): number[] => {
    const out: number[] = [];
    for (let row = 0; row < r; row++) for (let k = 0; k < v; k++) out.push(...f(row, k));
    return out;
  };
  const rowAddress = (row: number) => [...get(WA!), ...get(COB!), ...i32(row), MUL, ADD];
  const perBlock = [
    // wa = dw + (((p·kw + q)·ci + cb)·co + kb)·4
    ...get(DW!), ...get(P!), ...get(KW!), MUL, ...get(Q!), ADD, ...get(CI!), MUL, ...get(CB!), ADD, ...get(CO!), MUL, ...get(KB!), ADD, ...i32(4), MUL, ADD, ...set(WA!),
    ...sums((row, k) => [...rowAddress(row), ...load(16 * k), ...set(acc(row, k))]),
    // xrow = ximg + (p·wp + q)·ci·4 + cb·4; dyrow = dyimg + kb·4
    ...get(XIMG!), ...get(P!), ...get(WP!), MUL, ...get(Q!), ADD, ...get(CIB!), MUL, ADD, ...get(CB!), ...i32(4), MUL, ADD, ...set(XROW!),
    ...get(DYIMG!), ...get(KB!), ...i32(4), MUL, ADD, ...set(DYROW!),
    ...loop(I!, get(HO!), 1, perRow),
    ...sums((row, k) => [...rowAddress(row), ...get(acc(row, k)), ...store(16 * k)]),
  ];
  const perImage = [
    ...get(XP!), ...get(B!), ...get(HP!), MUL, ...get(WP!), MUL, ...get(CIB!), MUL, ADD, ...set(XIMG!),
    ...get(DY!), ...get(B!), ...get(HO!), MUL, ...get(WO!), MUL, ...get(COB!), MUL, ADD, ...set(DYIMG!),
    ...loop(P!, get(KH!), 1, loop(Q!, get(KW!), taps ? r : 1, loop(CB!, get(CI!), taps ? 1 : r, loop(KB!, get(CO!), 4 * v, perBlock)))),
  ];
  const code = [
    ...get(CI!), ...i32(4), MUL, ...set(CIB!),
    ...get(CO!), ...i32(4), MUL, ...set(COB!),
    ...get(SW!), ...get(CIB!), MUL, ...set(XSTEP!),
    ...get(SH!), ...get(WP!), MUL, ...get(CIB!), MUL, ...set(XROWSTEP!),
    ...get(WO!), ...get(COB!), MUL, ...set(DYROWSTEP!),
    ...loop(B!, get(N!), 1, perImage),
    0x0b,
  ];
  const vectors = r * v + v + 1;
  return [2, ...uleb(19), 0x7f, ...uleb(vectors), 0x7b, ...code];
}

/** The module's bytes for a block ({@link FilterGradBlock}); `shared` matches a threaded backend's memory. */
export function conv2DFilterGradModule(block: FilterGradBlock, shared: boolean): Uint8Array {
  return functionModule(14, body(block.r, block.v, block.taps), shared);
}

const byBlock = new Map<string, (memory: WasmMemory) => Conv2DFilterGrad | null>();

/** The assembled function for a block bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function conv2DFilterGradOn(memory: WasmMemory, block: FilterGradBlock): Conv2DFilterGrad | null {
  const key = `${block.r}x${block.v}${block.taps ? ' taps' : ''}`;
  let on = byBlock.get(key);
  if (on === undefined) byBlock.set(key, (on = assembledOn<Conv2DFilterGrad>((shared) => conv2DFilterGradModule(block, shared))));
  return on(memory);
}
