import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { env, getBackend, setBackend } from '@tensorflow/tfjs-core';
import { defaultThreadCount } from './defaultThreadCount';
import { loadTfjsNode } from './loadTfjsNode';
import { currentWasmThreadsHost, prepareWasmThreads, threadedStartFailure, type WasmThreadsHost } from './prepareWasmThreads';
import { registerWasmTrainingKernels } from './registerWasmTrainingKernels';

/** What an app asks for: the best available backend, or one by name. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** A tfjs backend that {@link selectBackend} can set. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** The backend that {@link selectBackend} set, and a sentence saying why, for the app to print. */
export interface BackendSelection {
  /** The backend now active in tfjs. */
  backend: BackendName;
  /** One sentence on why this backend was chosen (and, for 'auto', why faster ones were passed over). */
  reason: string;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Loads @tensorflow/tfjs-node; by default a dynamic import from this package, then from the
   * current directory. An app can pass `() => import('@tensorflow/tfjs-node')` to resolve it itself.
   */
  loadTfjsNode?: () => Promise<unknown>;
  /** Where the wasm binaries are served (browsers); Node finds them without it. */
  wasmPaths?: string;
  /**
   * Threads of the wasm backend's XNNPACK pool (a positive integer; default: every logical core). In Node
   * more than one starts tfjs-backend-wasm's threaded SIMD build on worker_threads; in a browser threads need a
   * cross-origin isolated page, else wasm runs one thread and the reason says why. Fixed when wasm starts:
   * another count later restarts the wasm backend, which is refused while tensors live on it.
   */
  threads?: number;
  /** Overrides where the code believes it runs (Node or browser, cross-origin isolated or not); for tests. */
  host?: WasmThreadsHost;
}

const CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

async function trySetBackend(name: BackendName): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    if (await setBackend(name)) return { ok: true };
    return { ok: false, why: `tfjs could not initialise the '${name}' backend` };
  } catch (error) {
    return { ok: false, why: firstLine(error) };
  }
}

async function useTensorflow(options: SelectBackendOptions): Promise<{ ok: true } | { ok: false; why: string }> {
  const loaded = await loadTfjsNode(options.loadTfjsNode);
  if (!loaded.ok) return loaded;
  return trySetBackend('tensorflow');
}

function checkThreads(threads: unknown): void {
  if (threads === undefined) return;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) {
    throw new Error(`selectBackend: options.threads must be a positive integer, got ${typeof threads === 'string' ? `'${threads}'` : String(threads)}`);
  }
}

async function useWasm(options: SelectBackendOptions): Promise<{ ok: true; detail: string } | { ok: false; why: string }> {
  const requested = options.threads ?? (await defaultThreadCount());
  let plan = prepareWasmThreads(requested, options.host); // throws (not a fallback) when a restart is refused
  let training: string;
  try {
    if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
    training = registerWasmTrainingKernels().description;
  } catch (error) {
    return { ok: false, why: firstLine(error) };
  }
  let set = await trySetBackend('wasm');
  if (!set.ok && plan.threads > 1 && (options.host ?? currentWasmThreadsHost()).isNode) {
    // The threaded build did not start (e.g. no writable temp folder for its worker script): one thread still works.
    const why = threadedStartFailure() ?? set.why;
    plan = { ...prepareWasmThreads(1, options.host), note: `single-threaded SIMD build: the threaded build did not start (${why})` };
    set = await trySetBackend('wasm');
  }
  if (!set.ok) return set;
  const simd = await env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  const note = threads < plan.threads ? `${plan.note}; tfjs started only ${threads} of ${plan.threads}` : plan.note;
  return {
    ok: true,
    detail: `XNNPACK, SIMD ${simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'} (${note}), ${training}`,
  };
}

/**
 * Sets the tfjs backend for an app and says why: 'auto' takes tfjs-node if its native addon
 * loads, else wasm (completed for training, on `options.threads` threads, default every core), else cpu;
 * a named backend that cannot start is an error. The reason names the wasm thread count.
 *
 * @param choice - `'auto'` (default: tfjs-node, else wasm, else cpu), `'tensorflow'`, `'wasm'` or `'cpu'`.
 * @param options - `threads` for wasm (default every core), `wasmPaths` in a browser, `loadTfjsNode` to import tfjs-node yourself.
 * @returns The backend taken and the reason, naming what was tried.
 *
 * @example
 * ```ts
 * import { selectBackend } from '@prune/backend';
 *
 * const { backend, reason } = await selectBackend('wasm', { threads: 2 });
 * console.log(`${backend}: ${reason}`); // wasm, completed for training
 * ```
 */
export async function selectBackend(choice: BackendChoice = 'auto', options: SelectBackendOptions = {}): Promise<BackendSelection> {
  if (!CHOICES.includes(choice)) {
    throw new Error(`selectBackend: unknown backend '${String(choice)}'; choose one of ${CHOICES.map((c) => `'${c}'`).join(', ')}`);
  }
  checkThreads(options.threads);
  if (choice === 'tensorflow') {
    const node = await useTensorflow(options);
    if (!node.ok) {
      throw new Error(
        `selectBackend('tensorflow'): @tensorflow/tfjs-node is not usable here (${node.why}). ` +
          `Install it where its native addon can be fetched (npm i @tensorflow/tfjs-node), or choose 'auto', 'wasm' or 'cpu'.`,
      );
    }
    return { backend: 'tensorflow', reason: 'requested tensorflow: tfjs-node native addon loaded' };
  }
  if (choice === 'wasm') {
    const wasm = await useWasm(options);
    if (!wasm.ok) throw new Error(`selectBackend('wasm'): the wasm backend did not start (${wasm.why}); choose 'auto' or 'cpu'.`);
    return { backend: 'wasm', reason: `requested wasm (${wasm.detail})` };
  }
  if (choice === 'cpu') {
    const cpu = await trySetBackend('cpu');
    if (!cpu.ok) throw new Error(`selectBackend('cpu'): the cpu backend did not start (${cpu.why})`);
    return { backend: 'cpu', reason: 'requested cpu (plain JavaScript, the slowest backend)' };
  }
  const node = await useTensorflow(options);
  if (node.ok) return { backend: 'tensorflow', reason: 'auto: tfjs-node native addon loaded (native TensorFlow, the fastest)' };
  const wasm = await useWasm(options);
  if (wasm.ok) return { backend: 'wasm', reason: `auto: tfjs-node unavailable (${node.why}); using wasm (${wasm.detail})` };
  const cpu = await trySetBackend('cpu');
  if (cpu.ok) {
    return { backend: 'cpu', reason: `auto: tfjs-node unavailable (${node.why}); wasm did not start (${wasm.why}); using cpu` };
  }
  throw new Error(
    `selectBackend('auto'): no backend started: tensorflow (${node.why}), wasm (${wasm.why}), cpu (${cpu.why}); current backend is '${getBackend()}'`,
  );
}
