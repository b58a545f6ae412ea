import { availableParallelism } from 'node:os';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { findBackendFactory, getBackend, getKernel, registerBackend, removeBackend, setBackend, tensor } from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from './selectBackend';

// Every test here runs on every machine: tfjs-node is never really loaded. Its loader is injected, either
// failing the way tfjs-node fails (package missing, native addon missing) or "loading" it by registering
// a stand-in 'tensorflow' backend (the cpu backend under that name).

const initial = getBackend();
// What registerWasmTrainingKernels installs on wasm, written out: the description must name each of them.
const COMPLETED =
  'training kernels completed (Conv2DBackpropFilter, Conv2DBackpropInput, DepthwiseConv2dNativeBackpropFilter, ' +
  'DepthwiseConv2dNativeBackpropInput, MaxPoolGrad, UnsortedSegmentSum, BatchMatMul, Sum, Mean, Tile, Identity, Cast, Conv2D, ' +
  'FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D)';
const ONE_THREAD = `XNNPACK, SIMD on, 1 thread (single-threaded SIMD build), ${COMPLETED}`;
const ADDON_MISSING =
  'The Node.js native addon module (tfjs_binding.node) can not be found at path: /app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node. ' +
  "\nPlease run command 'npm rebuild @tensorflow/tfjs-node --build-addon-from-source' to rebuild the native addon module.";

const addonMissing = () => Promise.reject(new Error(ADDON_MISSING));
const packageMissing = () =>
  Promise.reject(Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' }));
/** A loader that succeeds, and registers a 'tensorflow' backend as tfjs-node's import does. */
const standInTfjsNode = async () => {
  if (findBackendFactory('tensorflow') == null) registerBackend('tensorflow', () => new MathBackendCPU(), 3);
};

describe('selectBackend', () => {
  afterEach(async () => {
    if (findBackendFactory('tensorflow') != null) removeBackend('tensorflow');
    await setBackend(initial);
  });

  it('cpu sets the cpu backend and says so', async () => {
    expect(await selectBackend('cpu')).toEqual({ backend: 'cpu', reason: 'requested cpu (plain JavaScript, the slowest backend)' });
    expect(getBackend()).toBe('cpu');
  });

  it('wasm with one thread sets the wasm backend, completed for training', async () => {
    expect(await selectBackend('wasm', { threads: 1 })).toEqual({ backend: 'wasm', reason: `requested wasm (${ONE_THREAD})` });
    expect(getBackend()).toBe('wasm');
    expect(getThreadsCount()).toBe(1);
    expect(getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('wasm uses every logical core by default', async () => {
    const cores = availableParallelism();
    const threads = cores === 1 ? '1 thread (single-threaded SIMD build)' : `${Math.min(cores, 8)} threads (threaded SIMD build on worker_threads)`;
    expect(await selectBackend('wasm')).toEqual({ backend: 'wasm', reason: `requested wasm (XNNPACK, SIMD on, ${threads}, ${COMPLETED})` });
    expect(getThreadsCount()).toBe(Math.min(cores, 8));
  });

  it('wasm with two threads starts the threaded build, and back to one thread', async () => {
    expect((await selectBackend('wasm', { threads: 2 })).reason).toBe(
      `requested wasm (XNNPACK, SIMD on, 2 threads (threaded SIMD build on worker_threads), ${COMPLETED})`,
    );
    expect(getThreadsCount()).toBe(2);
    expect(getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect((await selectBackend('wasm', { threads: 1 })).reason).toBe(`requested wasm (${ONE_THREAD})`);
    expect(getThreadsCount()).toBe(1);
  });

  it('falls back to one thread, saying why, when the threaded build cannot start', async () => {
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = '/nonexistent/prune-test'; // no folder for the pthread worker script
    try {
      const got = await selectBackend('wasm', { threads: 3 });
      expect(got.reason).toMatch(
        /^requested wasm \(XNNPACK, SIMD on, 1 thread \(single-threaded SIMD build: the threaded build did not start \(ENOENT: no such file or directory, open '\/nonexistent\/prune-test\/prune-tfjs-backend-wasm-4\.22\.0-[0-9a-f]{12}\.worker\.js\.\d+\.tmp'\)\), training kernels completed \(Conv2DBackpropFilter, [A-Za-z0-9, ]+, FusedDepthwiseConv2D\)\)$/,
      );
      expect(getThreadsCount()).toBe(1);
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
  });

  it('refuses to restart wasm with another thread count while tensors live on it', async () => {
    await selectBackend('wasm', { threads: 1 });
    const t = tensor([1, 2, 3]);
    try {
      await expect(selectBackend('wasm', { threads: 2 })).rejects.toThrow(
        'selectBackend: threads 2 needs a fresh wasm backend, but the running one (1 thread(s)) holds 1 tensor(s); call selectBackend before creating tensors, or dispose them first',
      );
      expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    } finally {
      t.dispose();
    }
  });

  it.each([0, -1, 1.5, Number.NaN, '2'])('a thread count of %s is an error naming the option', async (threads) => {
    const shown = typeof threads === 'string' ? `'${threads}'` : String(threads);
    await expect(selectBackend('wasm', { threads: threads as number })).rejects.toThrow(`selectBackend: options.threads must be a positive integer, got ${shown}`);
  });

  it('auto takes tfjs-node when its loader succeeds', async () => {
    expect(await selectBackend('auto', { loadTfjsNode: standInTfjsNode })).toEqual({
      backend: 'tensorflow',
      reason: 'auto: tfjs-node native addon loaded (native TensorFlow, the fastest)',
    });
    expect(getBackend()).toBe('tensorflow');
  });

  it('tensorflow, requested, is set when its loader succeeds', async () => {
    expect(await selectBackend('tensorflow', { loadTfjsNode: standInTfjsNode })).toEqual({
      backend: 'tensorflow',
      reason: 'requested tensorflow: tfjs-node native addon loaded',
    });
  });

  it('auto falls back to wasm when the native addon is missing, quoting the first line of the error', async () => {
    expect(await selectBackend('auto', { loadTfjsNode: addonMissing, threads: 1 })).toEqual({
      backend: 'wasm',
      reason:
        'auto: tfjs-node unavailable (The Node.js native addon module (tfjs_binding.node) can not be found at path: ' +
        `/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node.); using wasm (${ONE_THREAD})`,
    });
    expect(getBackend()).toBe('wasm');
  });

  it('auto falls back to wasm when tfjs-node is not installed', async () => {
    expect(await selectBackend('auto', { loadTfjsNode: packageMissing, threads: 1 })).toEqual({
      backend: 'wasm',
      reason: `auto: tfjs-node unavailable (@tensorflow/tfjs-node is not installed); using wasm (${ONE_THREAD})`,
    });
  });

  it('auto falls back to wasm when tfjs-node loads but registers no backend', async () => {
    expect(await selectBackend('auto', { loadTfjsNode: async () => undefined, threads: 1 })).toEqual({
      backend: 'wasm',
      reason: `auto: tfjs-node unavailable (Backend name 'tensorflow' not found in registry); using wasm (${ONE_THREAD})`,
    });
  });

  it('tensorflow is a clear error when the native addon is missing', async () => {
    await expect(selectBackend('tensorflow', { loadTfjsNode: addonMissing })).rejects.toThrow(
      "selectBackend('tensorflow'): @tensorflow/tfjs-node is not usable here (The Node.js native addon module (tfjs_binding.node) can not be found at path: " +
        '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node.). ' +
        "Install it where its native addon can be fetched (npm i @tensorflow/tfjs-node), or choose 'auto', 'wasm' or 'cpu'.",
    );
    expect(getBackend()).toBe(initial);
  });

  it('tensorflow is a clear error when tfjs-node is not installed', async () => {
    await expect(selectBackend('tensorflow', { loadTfjsNode: packageMissing })).rejects.toThrow(
      "selectBackend('tensorflow'): @tensorflow/tfjs-node is not usable here (@tensorflow/tfjs-node is not installed). ",
    );
  });

  it('an unknown choice is an error that lists the valid ones', async () => {
    await expect(selectBackend('webgpu' as BackendChoice)).rejects.toThrow(
      "selectBackend: unknown backend 'webgpu'; choose one of 'auto', 'tensorflow', 'wasm', 'cpu'",
    );
    expect(getBackend()).toBe(initial);
  });
});
