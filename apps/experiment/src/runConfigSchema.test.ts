import { describe, expect, it } from 'vitest';
import { parseWithSchema } from '@prune/report';
import { runConfigSchema } from './runConfigSchema.js';

describe('runConfigSchema', () => {
  it("defaults to the reference experiment's settings", () => {
    const config = runConfigSchema.parse({});
    expect(config).toMatchObject({
      data: null,
      trainFraction: 0.1,
      testFraction: 0.1,
      trainPairs: 10000,
      testPairs: 2000,
      batchSize: 64,
      epochs: 10,
      learningRate: 1e-3,
      layer: 'conv2',
      criteria: ['mean'],
      seeds: null,
      calibration: 'test',
      fineTuneEpochs: 0,
      outDir: 'runs',
    });
  });

  it('names the bad field', () => {
    expect(() => parseWithSchema(runConfigSchema, { trainFraction: 1.5 }, 'cfg.json')).toThrow(/cfg\.json[\s\S]*field 'trainFraction': .*<=1|cfg\.json[\s\S]*field 'trainFraction'/);
    expect(() => parseWithSchema(runConfigSchema, { seeds: [1, -2] }, 'cfg.json')).toThrow(/field 'seeds\[1\]'/);
    expect(() => parseWithSchema(runConfigSchema, { calibration: 'val' }, 'cfg.json')).toThrow(/field 'calibration'/);
    expect(() => parseWithSchema(runConfigSchema, { runId: '../x' }, 'cfg.json')).toThrow(/field 'runId'/);
    // The out-dir's own names: its link, its cache, temporaries and unfinished runs.
    for (const runId of ['latest', 'Latest', '.', '..', '.cache', '.mine.partial-4000000', '.latest.tmp-12', '-x']) {
      expect(() => parseWithSchema(runConfigSchema, { runId }, 'cfg.json'), runId).toThrow(/field 'runId'/);
    }
    expect(parseWithSchema(runConfigSchema, { runId: 'run-1.b_2' }, 'cfg.json').runId).toBe('run-1.b_2');
  });
});

describe('runSettings and withoutLocalPaths', () => {
  it('drop the CLI-only fields and local paths', async () => {
    const { runSettings, withoutLocalPaths } = await import('./runSettings.js');
    const settings = runSettings(runConfigSchema.parse({ data: '/home/me/mnist', outDir: '/home/me/runs', runId: 'x' }));
    expect(settings).not.toHaveProperty('outDir');
    expect(settings).not.toHaveProperty('runId');
    expect(settings).not.toHaveProperty('cache');
    expect(settings.data).toBe('mnist');
    expect(settings.layer).toBe('conv2');
    expect(withoutLocalPaths("tfjs-node failed: Cannot find module '/work/x/node_modules/.pnpm/@tensorflow+tfjs-node/lib/napi-v8/tfjs_binding.node' (see /tmp/log.txt)")).toBe(
      "tfjs-node failed: Cannot find module 'node_modules/.pnpm/@tensorflow+tfjs-node/lib/napi-v8/tfjs_binding.node' (see log.txt)",
    );
    expect(withoutLocalPaths('wasm with SIMD, 2 threads, 1/2 of the cores')).toBe('wasm with SIMD, 2 threads, 1/2 of the cores');
  });
});
