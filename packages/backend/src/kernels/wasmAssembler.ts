import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A minimal WebAssembly encoder for the few hand-written functions the wasm training kernels run on the
 * wasm backend's own memory (imported as `e.m`), and the parts of the WebAssembly JS API they need.
 */

/** Unsigned LEB128. */
export const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
};
/** Signed LEB128. */
export const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
/** A name: its length, then its bytes. */
export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
/** A module section: id, size, body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** local.get, local.set, i32.const (WebAssembly 2.0). */
export const get = (i: number): number[] => [0x20, ...uleb(i)];
export const set = (i: number): number[] => [0x21, ...uleb(i)];
export const i32 = (v: number): number[] => [0x41, ...sleb(v)];
/** i32 opcodes. */
export const ADD = 0x6a, SUB = 0x6b, MUL = 0x6c, LT_S = 0x48, GE_S = 0x4e, OR_I32 = 0x72;
/** A fixed-width SIMD instruction (0xFD prefix). */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];


/** `for (v = from; v < limit; v += step) body`, as block/loop (`limit` and `from` are instructions). */
export const loop = (v: number, limit: number[], step: number, body: number[], from: number[] = i32(0)): number[] => [
  ...from, ...set(v),
  0x02, 0x40, 0x03, 0x40,
  ...get(v), ...limit, GE_S, 0x0d, 1, // br_if out of the block
  ...body,
  ...get(v), ...i32(step), ADD, ...set(v),
  0x0c, 0, // br to the loop
  0x0b, 0x0b,
];

/** memory.fill(dest, 0, bytes) with dest and bytes given as instructions. */
export const zeroFill = (dest: number[], bytes: number[]): number[] => [...dest, ...i32(0), ...bytes, 0xfc, ...uleb(11), 0x00];

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

export const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Whether `value` is a WebAssembly.Memory. */
export function isWasmMemory(value: unknown): value is WasmMemory {
  return api !== undefined && value instanceof api.Memory;
}


/**
 * A module of one exported function `f` with `params` i32 params (or params of the value types listed, e.g. 0x7d
 * for f32), importing the memory (`shared` for a threaded backend).
 */
export function functionModule(params: number | readonly number[], fnBody: number[], shared: boolean): Uint8Array {
  const types = typeof params === 'number' ? new Array<number>(params).fill(0x7f) : params;
  const type = [1, 0x60, ...uleb(types.length), ...types, 0];
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = [1, ...str('e'), ...str('m'), 0x02, ...limits];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('f'), 0x00, 0]),
    ...section(10, [1, ...uleb(fnBody.length), ...fnBody]),
  ]);
}

/** Instantiates `bytes(shared)` on `memory` and returns its `f`, or null where that fails (no SIMD, no WebAssembly). */
export function instantiateOn<F>(memory: WasmMemory, bytes: (shared: boolean) => Uint8Array): F | null {
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = bytes(shared);
    if (api === undefined || !api.validate(module)) return null;
    return new api.Instance(new api.Module(module), { e: { m: memory } }).exports.f as F;
  } catch {
    return null;
  }
}

/** A function assembled from `bytes` and bound to a memory, once per memory: null where that fails (no SIMD, no WebAssembly). */
export function assembledOn<F>(bytes: (shared: boolean) => Uint8Array): (memory: WasmMemory) => F | null {
  const instances = new WeakMap<WasmMemory, F | null>();
  return (memory) => {
    if (!instances.has(memory)) instances.set(memory, instantiateOn<F>(memory, bytes));
    return instances.get(memory)!;
  };
}

/** The WebAssembly.Memory of the wasm backend's module, if it exposes one. */
export function memoryOf(backend: BackendWasm): WasmMemory | null {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  return isWasmMemory(memory) ? memory : null;
}

/** A tensor's byte address in the wasm backend's memory. */
export function addressOf(backend: BackendWasm, t: { dataId: object }): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
