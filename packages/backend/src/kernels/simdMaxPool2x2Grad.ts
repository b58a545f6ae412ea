/**
 * A tiny WebAssembly SIMD function, assembled here at run time, that computes the gradient of a 2×2,
 * stride-2, unpadded max pool directly on the wasm backend's memory, four channels per instruction:
 * each window's dy goes to the first position (row-major) holding the window's max, as the cpu backend
 * does (a window of NaN or −∞ only passes nothing), and every other position of the window gets 0.
 * A JS loop over the same data runs at about a third of memory speed; this one at XNNPACK's.
 */

import { ADD, assembledOn, functionModule, get, i32, loop, MUL, set, simd, uleb, type WasmMemory } from './wasmAssembler';

/** Signature of the assembled function: byte addresses in the memory, sizes in elements; c % 4 === 0. */
export type MaxPool2x2Grad = (x: number, dy: number, dx: number, n: number, h: number, w: number, ho: number, wo: number, c: number) => void;

const load = () => simd(0x00, 0, 0); // v128.load align=1 offset=0
const store = () => simd(0x0b, 0, 0); // v128.store
const F32X4_SPLAT = 0x13, F32X4_GT = 0x44, AND = 0x4e, ANDNOT = 0x4f, OR = 0x50, BITSELECT = 0x52;

// Locals: params 0–8 (x, dy, dx, n, h, w, ho, wo, c); i32 9–19; v128 20–29.
const [X, DY, DX, N, H, W, HO, WO, C] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [B, I, J, D, XB, DYP, XROW, ROW, CB, DYROW, A] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const [V0, V1, V2, V3, BEST, G0, G1, G2, G3, GD] = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
const NINF = 30;

/** Stores dy & mask at x-address + dx − x + offset. */
const storeMasked = (offset: number[], mask: number): number[] => [
  ...get(A), ...get(DX), ADD, ...get(X), 0x6b /* i32.sub */, ...offset, ADD,
  ...get(GD), ...get(mask), ...simd(AND),
  ...store(),
];

function body(): number[] {
  const inner = [
    ...get(XB), ...get(D), ADD, ...set(A),
    ...get(A), ...load(), ...set(V0),
    ...get(A), ...get(CB), ADD, ...load(), ...set(V1),
    ...get(A), ...get(ROW), ADD, ...load(), ...set(V2),
    ...get(A), ...get(ROW), ADD, ...get(CB), ADD, ...load(), ...set(V3),
    // First strict maximum, from −∞: g_k = v_k > best so far.
    ...get(V0), ...get(NINF), ...simd(F32X4_GT), ...set(G0),
    ...get(V0), ...get(NINF), ...get(G0), ...simd(BITSELECT), ...set(BEST),
    ...get(V1), ...get(BEST), ...simd(F32X4_GT), ...set(G1),
    ...get(V1), ...get(BEST), ...get(G1), ...simd(BITSELECT), ...set(BEST),
    ...get(V2), ...get(BEST), ...simd(F32X4_GT), ...set(G2),
    ...get(V2), ...get(BEST), ...get(G2), ...simd(BITSELECT), ...set(BEST),
    ...get(V3), ...get(BEST), ...simd(F32X4_GT), ...set(G3),
    ...get(DYP), ...get(D), ADD, ...load(), ...set(GD),
    // The last position that raised the max wins: w3 = g3, w2 = g2 & ~g3, w1 = g1 & ~(g2|g3), w0 = g0 & ~(g1|g2|g3).
    ...storeMasked([...get(ROW), ...get(CB), ADD], G3),
    ...get(G2), ...get(G3), ...simd(ANDNOT), ...set(G2),
    ...storeMasked(get(ROW), G2),
    ...get(G3), ...get(G2), ...simd(OR), ...set(G3),
    ...get(G1), ...get(G3), ...simd(ANDNOT), ...set(G1),
    ...storeMasked(get(CB), G1),
    ...get(G3), ...get(G1), ...simd(OR), ...set(G3),
    ...get(G0), ...get(G3), ...simd(ANDNOT), ...set(G0),
    ...storeMasked(i32(0), G0),
  ];
  const perWindow = [
    ...get(XROW), ...get(J), ...i32(2), MUL, ...get(CB), MUL, ADD, ...set(XB),
    ...get(DYROW), ...get(J), ...get(CB), MUL, ADD, ...set(DYP),
    ...loop(D, get(CB), 16, inner),
  ];
  const perRow = [
    // xrow = x + (b·h + 2i)·row; dyrow = dy + (b·ho + i)·wo·cb
    ...get(X), ...get(B), ...get(H), MUL, ...get(I), ...i32(2), MUL, ADD, ...get(ROW), MUL, ADD, ...set(XROW),
    ...get(DY), ...get(B), ...get(HO), MUL, ...get(I), ADD, ...get(WO), MUL, ...get(CB), MUL, ADD, ...set(DYROW),
    ...loop(J, get(WO), 1, perWindow),
  ];
  const code = [
    ...get(C), ...i32(4), MUL, ...set(CB),
    ...get(W), ...get(CB), MUL, ...set(ROW),
    0x43, 0x00, 0x00, 0x80, 0xff, ...simd(F32X4_SPLAT), ...set(NINF), // f32.const −∞
    ...loop(B, get(N), 1, loop(I, get(HO), 1, perRow)),
    0x0b,
  ];
  const locals = [2, ...uleb(11), 0x7f, ...uleb(11), 0x7b]; // 11 i32, 11 v128
  return [...locals, ...code];
}

/** The module's bytes; `shared` matches a threaded backend's shared memory. */
export function maxPool2x2GradModule(shared: boolean): Uint8Array {
  return functionModule(9, body(), shared);
}

/** The assembled function bound to a memory, or null where WebAssembly SIMD is unavailable. */
export const maxPool2x2GradOn: (memory: WasmMemory) => MaxPool2x2Grad | null = assembledOn<MaxPool2x2Grad>(maxPool2x2GradModule);
