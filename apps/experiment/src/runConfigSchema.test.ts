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
  });
});
