import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend } from '@tensorflow/tfjs-core';

/** XNNPACK's pool in tfjs-backend-wasm 4.22 has at most this many threads (its `max_num_threads`). */
export const MAX_WASM_THREADS = 8;

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const FACTORY = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY = 'wasm-out/tfjs-backend-wasm-threaded-simd.wasm';

type NodeRequire = (id: string) => unknown;
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: unknown;
  PThread?: { runningWorkers?: Array<{ unref?: () => void }> };
}
type ThreadedFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

// Node built-ins behind variable specifiers, so that browser bundles of this package never pull them in.
async function nodeBuiltins() {
  const [fs, os, path, module, crypto] = await Promise.all(
    ['node:fs', 'node:os', 'node:path', 'node:module', 'node:crypto'].map((id) => import(/* @vite-ignore */ id)),
  );
  return {
    fs: fs as typeof import('node:fs'),
    os: os as typeof import('node:os'),
    path: path as typeof import('node:path'),
    createRequire: (module as typeof import('node:module')).createRequire,
    createHash: (crypto as typeof import('node:crypto')).createHash,
  };
}

type Builtins = Awaited<ReturnType<typeof nodeBuiltins>>;

/**
 * The emscripten pthread worker script, written once to a file: Node's worker_threads take a path, not
 * the Blob URL tfjs makes in browsers. The newlines are escaped as tfjs does for its Blob (the script
 * ships as a template literal, whose `\n` escapes became real newlines). Written atomically.
 */
function writeWorkerScript(b: Builtins, require: NodeRequire, version: string): string {
  const { wasmWorkerContents } = require(WORKER) as { wasmWorkerContents: string };
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = b.createHash('sha256').update(script).digest('hex').slice(0, 12);
  const file = b.path.join(b.os.tmpdir(), `prune-tfjs-backend-wasm-${version}-${hash}.worker.js`);
  if (!b.fs.existsSync(file) || b.fs.readFileSync(file, 'utf8') !== script) {
    const temp = `${file}.${process.pid}.tmp`;
    b.fs.writeFileSync(temp, script);
    b.fs.renameSync(temp, file);
  }
  return file;
}

/**
 * The threaded SIMD factory, evaluated from its own file with two changes: `os.cpus()` reports twice
 * `threads` (tfjs caps its pool at half the logical cores, assuming hyper-threads, so two vCPUs would
 * get one thread), and the pre-started worker pool has `threads − 1` workers instead of 8.
 */
function loadFactory(b: Builtins, file: string, threads: number): ThreadedFactory {
  const moduleRequire = b.createRequire(file);
  const cpus = b.os.cpus();
  const fakeOs = { ...b.os, cpus: () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % Math.max(cpus.length, 1)]) };
  const require = (id: string): unknown => (id === 'os' || id === 'node:os' ? fakeOs : moduleRequire(id));
  let source = b.fs.readFileSync(file, 'utf8');
  const pool = 'pthreadPoolSize=8';
  if (source.split(pool).length === 2) source = source.replace(pool, `pthreadPoolSize=${Math.max(threads - 1, 1)}`);
  const module = { exports: {} as unknown };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', '__filename', '__dirname', source)(require, module, module.exports, file, b.path.dirname(file));
  if (typeof module.exports !== 'function') throw new Error(`${WASM_PACKAGE}/${FACTORY} did not export a factory`);
  return module.exports as ThreadedFactory;
}

/**
 * Starts tfjs-backend-wasm's threaded SIMD build in Node on worker_threads (upstream switches it off in
 * Node, tfjs issue 3830) with an XNNPACK pool of `threads` threads (at most {@link MAX_WASM_THREADS}),
 * and returns the backend, ready for `registerBackend('wasm', …)`. Nothing is downloaded: the binary
 * and scripts come from the installed package; the worker script is written once to the temp folder.
 */
export async function startThreadedWasmInNode(threads: number): Promise<KernelBackend> {
  const b = await nodeBuiltins();
  const here = b.createRequire(import.meta.url);
  const root = b.path.dirname(here.resolve(`${WASM_PACKAGE}/package.json`));
  const version = (JSON.parse(b.fs.readFileSync(b.path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const packageRequire = b.createRequire(b.path.join(root, 'package.json'));
  const factoryFile = b.path.join(root, FACTORY);
  const workerFile = writeWorkerScript(b, (id) => packageRequire(b.path.join(root, id)), version);
  const count = Math.min(threads, MAX_WASM_THREADS);
  const factory = loadFactory(b, factoryFile, count);
  const wasm = await factory({
    locateFile: (file: string, prefix: string) =>
      file.endsWith('.worker.js') ? workerFile : file.endsWith('.wasm') ? b.path.join(root, BINARY) : prefix + file,
    // Each pthread worker evaluates this file to get the factory (in browsers tfjs passes a Blob).
    mainScriptUrlOrBlob: factoryFile,
  });
  // The same bridge tfjs's own init() builds.
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
  setThreadsCount(count); // read by BackendWasm's constructor
  const backend = new BackendWasm(wasm as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // The constructor started XNNPACK's pool; its threads wait for work forever and would keep Node from exiting.
  for (const worker of wasm.PThread?.runningWorkers ?? []) worker.unref?.();
  return backend;
}
