import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { engine, findBackendFactory, registerBackend, removeBackend } from '@tensorflow/tfjs-core';
import { MAX_WASM_THREADS, startThreadedWasmInNode } from './startThreadedWasmInNode';

/** Where the code runs, as far as wasm threads are concerned (injectable for tests). */
export interface WasmThreadsHost {
  /** True in Node.js (worker_threads), false in a browser or web worker. */
  isNode: boolean;
  /** In a browser: whether the page is cross-origin isolated (SharedArrayBuffer available). */
  crossOriginIsolated: boolean;
}

/** What {@link prepareWasmThreads} arranged, for the backend description. */
export interface WasmThreadsPlan {
  /** Threads asked of XNNPACK (the backend may still run fewer; read `getThreadsCount()` after start). */
  threads: number;
  /** How the threads run, or why there is only one, in a few words. */
  note: string;
}

const WASM_PRIORITY = 2; // tfjs-backend-wasm's own
type Factory = NonNullable<ReturnType<typeof findBackendFactory>>;
let stockFactory: Factory | null = null;
// The configuration the registered 'wasm' factory starts: null = tfjs's stock factory.
let registeredThreads: number | null = null;
// Why the threaded build last failed to start (tfjs's setBackend only returns false).
let lastFailure: string | null = null;

/** The first line of the error with which the threaded build last failed to start, if it did. */
export function threadedStartFailure(): string | null {
  return lastFailure;
}

async function startThreaded(threads: number) {
  lastFailure = null;
  try {
    return await startThreadedWasmInNode(threads);
  } catch (error) {
    lastFailure = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
    throw error;
  }
}

/** The host this code runs on. */
export function currentWasmThreadsHost(): WasmThreadsHost {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return { isNode, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
}

/**
 * Replaces the registered 'wasm' factory (the kernels stay: they are registered per backend name).
 * A started wasm backend is disposed first, which is refused while tensors live on it.
 */
function replaceFactory(factory: Factory, threads: number | null, requested: number): void {
  const running = (engine().registry as Record<string, { numDataIds(): number } | undefined>)['wasm'];
  if (running) {
    const live = running.numDataIds();
    if (live > 0) {
      throw new Error(
        `selectBackend: threads ${requested} needs a fresh wasm backend, but the running one (${registeredThreads ?? 1} thread(s)) ` +
          `holds ${live} tensor(s); call selectBackend before creating tensors, or dispose them first`,
      );
    }
  }
  removeBackend('wasm');
  registerBackend('wasm', factory, WASM_PRIORITY);
  registeredThreads = threads;
}

/**
 * Arranges for the next `setBackend('wasm')` to start with `threads` XNNPACK threads. Node: more than one
 * thread starts tfjs-backend-wasm's threaded SIMD build on worker_threads ({@link startThreadedWasmInNode});
 * one thread keeps tfjs's stock single-threaded SIMD build. Browser: tfjs's own threaded build where the page
 * is cross-origin isolated, else one thread and a note saying which headers would enable threads.
 */
export function prepareWasmThreads(threads: number, host: WasmThreadsHost = currentWasmThreadsHost()): WasmThreadsPlan {
  if (!host.isNode) {
    if (!host.crossOriginIsolated) {
      return {
        threads: 1,
        note:
          'one thread: the page is not cross-origin isolated, so SharedArrayBuffer and wasm threads are unavailable ' +
          '(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
      };
    }
    setThreadsCount(threads);
    return { threads, note: "tfjs's threaded SIMD build on web workers" };
  }
  if (stockFactory === null) {
    const factory = findBackendFactory('wasm');
    if (!factory) throw new Error("selectBackend: no 'wasm' backend is registered (is @tensorflow/tfjs-backend-wasm loaded?)");
    stockFactory = factory;
  }
  if (threads === 1) {
    if (registeredThreads !== null) replaceFactory(stockFactory, null, threads);
    return { threads: 1, note: 'single-threaded SIMD build' };
  }
  const count = Math.min(threads, MAX_WASM_THREADS);
  if (registeredThreads !== count) replaceFactory(() => startThreaded(count), count, threads);
  const capped = threads > MAX_WASM_THREADS ? `, capped at tfjs-backend-wasm's maximum of ${MAX_WASM_THREADS}` : '';
  return { threads: count, note: `threaded SIMD build on worker_threads${capped}` };
}
