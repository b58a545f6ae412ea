/**
 * A WebAssembly SIMD function, assembled here at run time, for the column sums of a row-major float32
 * [rows, cols] array on the wasm backend's memory (cols a multiple of 4): each column accumulated in
 * float64 in row order, then times 1/divisor and rounded to float32, exactly as {@link sumRowsInto} does
 * in JavaScript, at memory speed. Sixteen columns a pass, so a bias gradient reads its input once.
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/** Signature of the assembled function: byte addresses, sizes in elements; cols % 4 === 0. */
export type ColumnSums = (x: number, out: number, rows: number, cols: number, divisor: number) => void;

const load = () => simd(0x00, 0, 0); // v128.load
const store = (offset: number) => simd(0x0b, 0, ...uleb(offset)); // v128.store
const PROMOTE_LOW = 0x5f, DEMOTE_ZERO = 0x5e, F64X2_ADD = 0xf0, F64X2_MUL = 0xf2, F64X2_SPLAT = 0x14;
/** i8x16.shuffle of two vectors by 16 lane indices. */
const shuffle = (lanes: number[]) => simd(0x0d, ...lanes);
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

// Params 0–4, i32 locals 5–9, v128 locals 10…
const [X, OUT, ROWS, COLS, DIVISOR] = [0, 1, 2, 3, 4];
const [C, R, A, STRIDE, END] = [5, 6, 7, 8, 9];
const SCALE = 10, V = 11, ACC = 12; // ACC … ACC + 7: two float64 pairs per group of 4 columns

/** Sums `groups` groups of 4 columns from column C on, then stores them scaled. */
function pass(groups: number): number[] {
  const zero = [...simd(0x0c, ...new Array<number>(16).fill(0))]; // v128.const 0
  const code: number[] = [];
  for (let g = 0; g < 2 * groups; g++) code.push(...zero, ...set(ACC + g));
  const perRow: number[] = [];
  for (let g = 0; g < groups; g++) {
    perRow.push(...get(A), ...load(), ...set(V));
    if (g < groups - 1) perRow.push(...get(A), ...i32(16), ADD, ...set(A));
    perRow.push(...get(ACC + 2 * g), ...get(V), ...simd(PROMOTE_LOW), ...simd(F64X2_ADD), ...set(ACC + 2 * g));
    perRow.push(...get(ACC + 2 * g + 1), ...get(V), ...get(V), ...shuffle(HIGH_HALF), ...simd(PROMOTE_LOW), ...simd(F64X2_ADD), ...set(ACC + 2 * g + 1));
  }
  // a = x + (r·cols + c)·4, walked row by row
  code.push(...get(X), ...get(C), ...i32(4), MUL, ADD, ...set(A));
  code.push(...loop(R, get(ROWS), 1, [...perRow, ...get(A), ...get(STRIDE), ADD, ...i32(-16 * (groups - 1)), ADD, ...set(A)]));
  for (let g = 0; g < groups; g++) {
    code.push(
      ...get(OUT), ...get(C), ...i32(4), MUL, ADD,
      ...get(ACC + 2 * g), ...get(SCALE), ...simd(F64X2_MUL), ...simd(DEMOTE_ZERO),
      ...get(ACC + 2 * g + 1), ...get(SCALE), ...simd(F64X2_MUL), ...simd(DEMOTE_ZERO),
      ...shuffle(LOW_HALVES),
      ...store(16 * g),
    );
  }
  return code;
}

function body(): number[] {
  const code = [
    // scale = 1 / divisor, in float64 as JavaScript computes it
    0x44, ...new Array<number>(6).fill(0), 0xf0, 0x3f, // f64.const 1
    ...get(DIVISOR), 0xb7, // f64.convert_i32_s
    0xa3, // f64.div
    ...simd(F64X2_SPLAT), ...set(SCALE),
    ...get(COLS), ...i32(4), MUL, ...set(STRIDE),
    ...get(COLS), ...i32(15), 0x6b /* i32.sub */, ...set(END),
    // 16 columns a pass while they fit, then 4
    ...loop(C, get(END), 16, pass(4)),
    ...loop(C, get(COLS), 4, pass(1), get(C)),
    0x0b,
  ];
  return [2, ...uleb(5), 0x7f, ...uleb(2 + 8), 0x7b, ...code];
}

/** The module's bytes; `shared` matches a threaded backend's shared memory. */
export function columnSumsModule(shared: boolean): Uint8Array {
  return functionModule(5, body(), shared);
}

/** The assembled function bound to a memory, or null where WebAssembly SIMD is unavailable. */
export const columnSumsOn: (memory: WasmMemory) => ColumnSums | null = assembledOn<ColumnSums>(columnSumsModule);
