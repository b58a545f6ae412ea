/**
 * A tiny WebAssembly SIMD function, assembled here at run time, that computes the gradient of a 2×2,
 * stride-2, unpadded max pool directly on the wasm backend's memory, four channels per instruction:
 * each window's dy goes to the first position (row-major) holding the window's max, as the cpu backend
 * does (a window of NaN or −∞ only passes nothing), and every other position of the window gets 0.
 * A JS loop over the same data runs at about a third of memory speed; this one at XNNPACK's.
 */

/** Signature of the assembled function: byte addresses in the memory, sizes in elements; c % 4 === 0. */
export type MaxPool2x2Grad = (x: number, dy: number, dx: number, n: number, h: number, w: number, ho: number, wo: number, c: number) => void;

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Opcodes (WebAssembly 2.0 with fixed-width SIMD).
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a, MUL = 0x6c, GE_S = 0x4e;
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const load = () => simd(0x00, 0, 0); // v128.load align=1 offset=0
const store = () => simd(0x0b, 0, 0); // v128.store
const F32X4_SPLAT = 0x13, F32X4_GT = 0x44, AND = 0x4e, ANDNOT = 0x4f, OR = 0x50, BITSELECT = 0x52;

// Locals: params 0–8 (x, dy, dx, n, h, w, ho, wo, c); i32 9–19; v128 20–29.
const [X, DY, DX, N, H, W, HO, WO, C] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [B, I, J, D, XB, DYP, XROW, ROW, CB, DYROW, A] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const [V0, V1, V2, V3, BEST, G0, G1, G2, G3, GD] = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
const NINF = 30;

/** `for (v = 0; v < limit; v += step) body`, as block/loop. */
const loop = (v: number, limit: number[], step: number, body: number[]): number[] => [
  ...i32(0), ...set(v),
  0x02, 0x40, 0x03, 0x40,
  ...get(v), ...limit, GE_S, 0x0d, 1, // br_if out of the block
  ...body,
  ...get(v), ...i32(step), ADD, ...set(v),
  0x0c, 0, // br to the loop
  0x0b, 0x0b,
];

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
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/** The module's bytes; `shared` matches a threaded backend's shared memory. */
export function maxPool2x2GradModule(shared: boolean): Uint8Array {
  const type = [1, 0x60, 9, ...new Array<number>(9).fill(0x7f), 0];
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = [1, ...str('e'), ...str('m'), 0x02, ...limits];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('f'), 0x00, 0]),
    ...section(10, [1, ...body()]),
  ];
  return Uint8Array.from(bytes);
}

/** A WebAssembly.Memory (the project's TypeScript libs do not declare the WebAssembly API). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The parts of the WebAssembly JS API used here. */
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Whether `value` is a WebAssembly.Memory. */
export function isWasmMemory(value: unknown): value is WasmMemory {
  return api !== undefined && value instanceof api.Memory;
}

const instances = new WeakMap<WasmMemory, MaxPool2x2Grad | null>();

/** The assembled function bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function maxPool2x2GradOn(memory: WasmMemory): MaxPool2x2Grad | null {
  if (instances.has(memory)) return instances.get(memory)!;
  let fn: MaxPool2x2Grad | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = maxPool2x2GradModule(shared);
    if (api !== undefined && api.validate(bytes)) {
      const instance = new api.Instance(new api.Module(bytes), { e: { m: memory } });
      fn = instance.exports.f as MaxPool2x2Grad;
    }
  } catch {
    fn = null;
  }
  instances.set(memory, fn);
  return fn;
}
