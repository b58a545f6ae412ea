import { ADD, assembledOn, functionModule, get, GE_S, i32, loop, LT_S, MUL, OR_I32, set, uleb, zeroFill, type WasmMemory } from './wasmAssembler';

/**
 * One row of a transposed patch matrix, written by a WebAssembly function on the backend's memory:
 * for every image b and output row i, the input values of channel `c` under one filter tap, wo of them
 * (0 in the padding). `r0` is the tap's row offset (p·dh − top), `colStart` its column offset (q·dw −
 * left), output columns j0 … j1 − 1 fall inside the input; addresses in bytes.
 */
export type Im2colRow = (
  x: number, out: number, n: number, h: number, w: number, ci: number, ho: number, wo: number,
  c: number, r0: number, sh: number, colStart: number, sw: number, j0: number, j1: number,
) => void;

// Params 0–14, then i32 locals 15–21.
const [X, OUT, N, H, W, CI, HO, WO, C, R0, SH, COL, SW, J0, J1] = Array.from({ length: 15 }, (_, k) => k) as number[];
const [B, I, R, O, SRC, J, STEP] = [15, 16, 17, 18, 19, 20, 21];

function body(): number[] {
  const advance = (bytes: number[]) => [...get(O), ...bytes, ADD, ...set(O)];
  const times4 = (v: number[]) => [...v, ...i32(4), MUL];
  const inside = [
    ...zeroFill(get(O), times4(get(J0!))), ...advance(times4(get(J0!))),
    // src = x + (((b·h + r)·w + colStart + j0·sw)·ci + c)·4
    ...get(X!), ...get(B), ...get(H!), MUL, ...get(R), ADD, ...get(W!), MUL, ...get(COL!), ADD, ...get(J0!), ...get(SW!), MUL, ADD,
    ...get(CI!), MUL, ...get(C!), ADD, ...i32(4), MUL, ADD, ...set(SRC),
    ...loop(J, get(J1!), 1, [
      ...get(O), ...get(SRC), 0x2a, 2, 0, 0x38, 2, 0, // f32.store(o, f32.load(src))
      ...advance(i32(4)),
      ...get(SRC), ...get(STEP), ADD, ...set(SRC),
    ], get(J0!)),
    ...zeroFill(get(O), times4([...get(WO!), ...get(J1!), 0x6b])), ...advance(times4([...get(WO!), ...get(J1!), 0x6b])),
  ];
  const perRow = [
    ...get(I), ...get(SH!), MUL, ...get(R0!), ADD, ...set(R),
    ...get(R), ...i32(0), LT_S, ...get(R), ...get(H!), GE_S, OR_I32,
    0x04, 0x40, // if the row is in the padding
    ...zeroFill(get(O), times4(get(WO!))), ...advance(times4(get(WO!))),
    0x05, // else
    ...inside,
    0x0b,
  ];
  const code = [
    ...get(SW!), ...get(CI!), MUL, ...i32(4), MUL, ...set(STEP),
    ...get(OUT!), ...set(O),
    ...loop(B, get(N!), 1, loop(I, get(HO!), 1, perRow)),
    0x0b,
  ];
  return [1, ...uleb(7), 0x7f, ...code]; // 7 i32 locals
}

/** The module's bytes; `shared` matches a threaded backend's shared memory. */
export function im2colRowModule(shared: boolean): Uint8Array {
  return functionModule(15, body(), shared);
}

/** The assembled function bound to a memory, or null where that fails. */
export const im2colRowOn: (memory: WasmMemory) => Im2colRow | null = assembledOn<Im2colRow>(im2colRowModule);
