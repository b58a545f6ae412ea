import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { conv2d, getBackend, getKernel, grads, maxPool, setBackend, sum, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTfjsNode } from './loadTfjsNode';
import { selectBackend, type BackendChoice } from './selectBackend';
import { createRng, relativeError, runOn, values } from './test-utils/oracle';

const initial = getBackend();
const node = await loadTfjsNode();
const nodeSkip = node.ok ? '' : `tfjs-node does not load here (${node.why})`;
if (nodeSkip) console.log(`selectBackend tests: skipping the tfjs-node checks: ${nodeSkip}`);

describe('selectBackend', () => {
  afterEach(async () => {
    await setBackend(initial);
  });

  it('cpu sets the cpu backend and says so', async () => {
    const got = await selectBackend('cpu');
    expect(got.backend).toBe('cpu');
    expect(getBackend()).toBe('cpu');
    expect(got.reason).toMatch(/requested cpu/);
  });

  it('wasm sets the wasm backend, completed for training', async () => {
    const got = await selectBackend('wasm');
    expect(got).toMatchObject({ backend: 'wasm' });
    expect(getBackend()).toBe('wasm');
    expect(got.reason).toMatch(/SIMD (on|off)/);
    expect(getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('auto takes tfjs-node when it loads and otherwise wasm, saying why', async () => {
    const got = await selectBackend('auto');
    if (node.ok) {
      expect(got.backend).toBe('tensorflow');
    } else {
      expect(got.backend).toBe('wasm');
      expect(got.reason).toContain(node.why);
    }
    expect(getBackend()).toBe(got.backend);
  });

  it('auto falls back to wasm when loading tfjs-node throws, and gives the reason', async () => {
    const got = await selectBackend('auto', {
      loadTfjsNode: () => Promise.reject(new Error('native addon tfjs_binding.node missing\nstack line')),
    });
    expect(got.backend).toBe('wasm');
    expect(got.reason).toBe(
      'auto: tfjs-node unavailable (native addon tfjs_binding.node missing); using wasm ' + got.reason.slice(got.reason.indexOf('(XNNPACK')),
    );
  });

  it('an unknown choice is an error that lists the valid ones', async () => {
    await expect(selectBackend('webgpu' as BackendChoice)).rejects.toThrow(
      "selectBackend: unknown backend 'webgpu'; choose one of 'auto', 'tensorflow', 'wasm', 'cpu'",
    );
    expect(getBackend()).toBe(initial);
  });

  it.skipIf(node.ok)(`tensorflow is a clear error where tfjs-node cannot load`, async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/selectBackend\('tensorflow'\): @tensorflow\/tfjs-node is not usable here .*choose 'auto', 'wasm' or 'cpu'/);
    await expect(selectBackend('tensorflow', { loadTfjsNode: () => Promise.reject(new Error('boom')) })).rejects.toThrow('(boom)');
  });

  it.skipIf(!node.ok)(`tensorflow trains: conv and pool gradients match the cpu backend ${nodeSkip ? `(skipped: ${nodeSkip})` : ''}`, async () => {
    const got = await selectBackend('tensorflow');
    expect(got.backend).toBe('tensorflow');
    const rng = createRng(5);
    const inputs = { x: { data: values(rng, 2 * 9 * 9 * 3), shape: [2, 9, 9, 3] }, f: { data: values(rng, 3 * 3 * 3 * 8), shape: [3, 3, 3, 8] } };
    const fn = (t: Record<string, Tensor>) =>
      grads((x: Tensor, f: Tensor) => sum(maxPool(conv2d(x as Tensor4D, f as Tensor4D, 1, 'same'), 2, 2, 'same')))([t.x!, t.f!]);
    const tensorflow = await runOn('tensorflow', inputs, fn);
    const cpu = await runOn('cpu', inputs, fn);
    cpu.outputs.forEach((ref, i) => expect(relativeError(tensorflow.outputs[i]!.data, ref.data)).toBeLessThanOrEqual(1e-4));
    expect(tensorflow.leaked).toBe(0);
  });
});
