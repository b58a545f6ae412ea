import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_SCHEMA_VERSION, summarizeSeeds, type ResultsInput } from '@prune/report';

/** Writes a small valid run folder (4 channels, 3 images, 4 pairs, features) for loader and server tests. */
export function writeTinyRun(dir: string, overrides: { index?: Record<string, unknown> } = {}): void {
  const channels = 4;
  const interval = { level: 0.95, method: 'wilson', lower: [0.5, 0.45, 0.3, 0.1], upper: [1, 1, 0.95, 0.9] };
  const criteria = [{ criterion: 'mean', rankedOn: 'test' as const, role: 'criterion' as const, scores: [0.4, 0.1, 0.3, 0.2], order: [1, 3, 2, 0], accuracy: [0.9, 0.85, 0.7, 0.5], interval, fineTune: [] }];
  const stats = {
    layer: 'conv2', channels, images: 8, positions: 8 * 4, mean: [0.4, 0.1, 0.3, 0.2], meanAbs: [1, 1, 1, 1], apoz: [0.5, 0.5, 0.5, 0.5],
    variance: [1, 1, 1, 1], std: [1, 1, 1, 1], min: [-1, -1, -1, -1], max: [1, 1, 1, 1],
    meanMap: Array.from({ length: channels * 4 }, (_, i) => i), mapShape: [channels, 2, 2] as [number, number, number],
  };
  const seedRuns = [{ seed: 1, model: { path: 'model', cacheKey: 'k', reused: false, parameters: 10, history: [] }, test: { accuracy: 0.9, loss: 0.3, auc: 0.95, count: 4 }, stats, criteria }];
  const results: ResultsInput = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: 'tiny',
    createdAt: '2026-11-27T10:00:00.000Z',
    config: { layer: 'conv2', criteria: ['mean'] },
    backend: { name: 'cpu', reason: 'test' },
    timings: { total: 1 },
    dataset: { source: 'test', train: { images: 3, pairs: 4 }, test: { images: 3, pairs: 4 } },
    calibration: { source: 'test', images: 8, pairs: 4, heldOut: false, note: 'test' },
    layer: { name: 'encoder/conv2', channels },
    seedRuns,
    summary: summarizeSeeds(seedRuns.map((r) => ({ ...r, controls: null })), 'test'),
    costs: [],
    exports: [],
    viewer: { index: 'viewer-data/index.json' },
  };
  mkdirSync(join(dir, 'viewer-data'), { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  const index = {
    format: 'prune-viewer-data',
    version: 1,
    layer: 'encoder/conv2',
    channels,
    model: 'model/model.json',
    images: { file: 'test-images.u8', dtype: 'uint8', shape: [3, 2, 2, 1], normalise: { scale: 255, mean: 0.1307, std: 0.3081 } },
    pairs: { file: 'test-pairs.i32', dtype: 'int32', shape: [2, 4], rows: ['left', 'right'] },
    labels: { file: 'test-labels.u8', dtype: 'uint8', shape: [4] },
    features: { file: 'features.f32', dtype: 'float32', shape: [3, 1, 1, channels], layout: 'NHWC', cut: 'encoder/pool2', passThrough: ['relu2', 'pool2'], channelAxis: 3 },
    ...overrides.index,
  };
  writeFileSync(join(dir, 'viewer-data', 'index.json'), JSON.stringify(index));
  writeFileSync(join(dir, 'viewer-data', 'test-images.u8'), Uint8Array.from([0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  writeFileSync(join(dir, 'viewer-data', 'test-pairs.i32'), new Uint8Array(Int32Array.from([0, 1, 2, 0, 1, 2, 0, 2]).buffer));
  writeFileSync(join(dir, 'viewer-data', 'test-labels.u8'), Uint8Array.from([1, 0, 0, 1]));
  writeFileSync(join(dir, 'viewer-data', 'features.f32'), new Uint8Array(Float32Array.from({ length: 3 * channels }, (_, i) => i / 10).buffer));
}
