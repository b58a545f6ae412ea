/**
 * A WebAssembly SIMD function, assembled here at run time, for {@link adamUpdate} on the wasm backend's memory:
 * four elements at a time with f32x4 arithmetic. WebAssembly's f32x4 add, mul, div and sqrt are the IEEE
 * float32 operations, so each lane gives the bits of adamUpdate's fround-after-every-operation JavaScript (and
 * of tfjs's Adam kernels), in the same order, without its per-element cost.
 */

import { ADD, assembledOn, functionModule, get, loop, set, simd, uleb, type WasmMemory } from '../kernels/wasmAssembler';

/**
 * Signature of the assembled function: byte addresses of x, m, v, g and of the three outputs, the byte count (a
 * multiple of 16), then the step's float32 scalars in {@link AdamStepScalars} order.
 */
export type SimdAdamUpdate = (
  x: number, m: number, v: number, g: number, xOut: number, mOut: number, vOut: number, bytes: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
  oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negLearningRate: number,
) => void;

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const load = () => simd(0x00, 0, 0); // v128.load
const store = () => simd(0x0b, 0, 0); // v128.store
const SPLAT = 0x13, SQRT = 0xe3, FADD = 0xe4, FMUL = 0xe6, FDIV = 0xe7; // f32x4

// Params 0–7 (i32), 8–15 (f32); locals: I (i32), the scalars splatted (v128, 17–24), GV, M1, V1.
const [X, M, V, G, XO, MO, VO, BYTES] = [0, 1, 2, 3, 4, 5, 6, 7];
const I = 16, S = 17, GV = 25, M1 = 26, V1 = 27;
const [B1, OMB1, B2, OMB2, OMA1, OMA2, EPS, NLR] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => S + k) as number[];
const at = (base: number) => [...get(base), ...get(I), ADD];
const op = (code: number) => simd(code);

function body(): number[] {
  const code: number[] = [];
  for (let k = 0; k < 8; k++) code.push(...get(8 + k), ...op(SPLAT), ...set(S + k));
  const step = [
    ...at(G), ...load(), ...set(GV),
    // m1 = m·beta1 + g·(1 − beta1)
    ...at(M), ...load(), ...get(B1!), ...op(FMUL), ...get(GV), ...get(OMB1!), ...op(FMUL), ...op(FADD), ...set(M1),
    // v1 = v·beta2 + (g·g)·(1 − beta2)
    ...at(V), ...load(), ...get(B2!), ...op(FMUL), ...get(GV), ...get(GV), ...op(FMUL), ...get(OMB2!), ...op(FMUL), ...op(FADD), ...set(V1),
    ...at(MO), ...get(M1), ...store(),
    ...at(VO), ...get(V1), ...store(),
    // x1 = ((m1 / (1 − accBeta1)) / (√(v1 / (1 − accBeta2)) + epsilon))·(−lr) + x
    ...at(XO),
    ...get(M1), ...get(OMA1!), ...op(FDIV),
    ...get(V1), ...get(OMA2!), ...op(FDIV), ...op(SQRT), ...get(EPS!), ...op(FADD),
    ...op(FDIV), ...get(NLR!), ...op(FMUL),
    ...at(X), ...load(), ...op(FADD),
    ...store(),
  ];
  code.push(...loop(I, get(BYTES), 16, step), 0x0b);
  return [2, ...uleb(1), I32, ...uleb(11), V128, ...code];
}

/** The module's bytes; `shared` matches a threaded backend's shared memory. */
export function simdAdamUpdateModule(shared: boolean): Uint8Array {
  return functionModule([...new Array<number>(8).fill(I32), ...new Array<number>(8).fill(F32)], body(), shared);
}

/** The assembled function bound to a memory, or null where WebAssembly SIMD is unavailable. */
export const simdAdamUpdateOn: (memory: WasmMemory) => SimdAdamUpdate | null = assembledOn<SimdAdamUpdate>(simdAdamUpdateModule);
