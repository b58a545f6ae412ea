import { describe, expect, it } from 'vitest';
import { prepareWasmThreads } from './prepareWasmThreads';

describe('prepareWasmThreads in a browser', () => {
  it('runs one thread where the page is not cross-origin isolated, and says which headers would enable threads', () => {
    expect(prepareWasmThreads(4, { isNode: false, crossOriginIsolated: false })).toEqual({
      threads: 1,
      note:
        'one thread: the page is not cross-origin isolated, so SharedArrayBuffer and wasm threads are unavailable ' +
        '(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    });
  });

  it("asks tfjs's threaded build for the threads where the page is cross-origin isolated", () => {
    expect(prepareWasmThreads(4, { isNode: false, crossOriginIsolated: true })).toEqual({ threads: 4, note: "tfjs's threaded SIMD build on web workers" });
  });
});

describe('prepareWasmThreads in Node', () => {
  it('caps the pool at the 8 threads tfjs-backend-wasm supports, and says so', () => {
    expect(prepareWasmThreads(12, { isNode: true, crossOriginIsolated: false })).toEqual({
      threads: 8,
      note: "threaded SIMD build on worker_threads, capped at tfjs-backend-wasm's maximum of 8",
    });
    expect(prepareWasmThreads(1, { isNode: true, crossOriginIsolated: false })).toEqual({ threads: 1, note: 'single-threaded SIMD build' });
  });
});
