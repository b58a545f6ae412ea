import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizePixels } from '@prune/mnist-pairs';
import { loadResults, loadViewerData } from './loadRun';
import { serveRun } from './serveRun';
import { writeTinyRun } from './test-utils/writeTinyRun';

describe('loadResults and loadViewerData over HTTP', () => {
  let dir: string;
  let server: Server;
  let base: URL;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'viewer-load-'));
    writeTinyRun(dir);
    const served = await serveRun({ runDir: dir, viewerDir: dir, port: 0 });
    server = served.server;
    base = new URL(served.url);
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the run, normalises the pixels exactly as the Node loader does, and splits the pair rows', async () => {
    const results = await loadResults(base);
    expect(results.runId).toBe('tiny');
    const data = await loadViewerData(results, base);
    expect(data.modelUrl).toBe(new URL('model/model.json', base).href);
    expect(Array.from(data.images)).toEqual(Array.from(normalizePixels(Uint8Array.from([0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9]))));
    expect(Array.from(data.pairRows[0])).toEqual([0, 1, 2, 0]);
    expect(Array.from(data.pairRows[1])).toEqual([1, 2, 0, 2]);
    expect(Array.from(data.labels)).toEqual([1, 0, 0, 1]);
    expect(data.features?.length).toBe(12);
    expect((await loadViewerData(results, base, { withFeatures: false })).features).toBeNull();
  });

  it('names the file and the status when results.json is missing', async () => {
    rmSync(join(dir, 'results.json'));
    await expect(loadResults(base)).rejects.toThrow(/results\.json: http:\/\/127\.0\.0\.1:\d+\/results\.json answered 404/);
  });

  it('names the field of an invalid results.json', async () => {
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ schemaVersion: 2, runId: '' }));
    await expect(loadResults(base)).rejects.toThrow(/results\.json: invalid[\s\S]*runId/);
  });

  it('names the file and the sizes of a truncated data file', async () => {
    writeFileSync(join(dir, 'viewer-data', 'features.f32'), new Uint8Array(20));
    const results = await loadResults(base);
    await expect(loadViewerData(results, base)).rejects.toThrow(/viewer-data\/index\.json field 'features': features\.f32 has 20 bytes, shape \[3, 1, 1, 4\] needs 48/);
  });

  it('rejects pair indices outside the images and a bad index field', async () => {
    writeFileSync(join(dir, 'viewer-data', 'test-pairs.i32'), new Uint8Array(Int32Array.from([0, 1, 2, 3, 1, 2, 0, 2]).buffer));
    const results = await loadResults(base);
    await expect(loadViewerData(results, base)).rejects.toThrow(/pair index 3 outside the 3 images/);
    writeTinyRun(dir, { index: { pairs: { file: 'test-pairs.i32', dtype: 'float32', shape: [2, 4], rows: ['left', 'right'] } } });
    await expect(loadViewerData(results, base)).rejects.toThrow(/viewer-data\/index\.json: invalid[\s\S]*pairs\.dtype/);
  });
});
