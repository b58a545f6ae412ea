import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiameseModel, registerSiameseFusion } from '@prune/siamese';
import { hashSourceTree } from './hashSourceTree.js';
import { cacheEntryDir, loadCachedModel, storeCachedModel, verifyCacheEntry, type CacheMeta } from './modelCache.js';

const KEY = 'k'.repeat(20);
const meta: Omit<CacheMeta, 'files' | 'format'> = {
  key: KEY,
  identity: { modelSeed: 1, trainSeed: 2, epochs: 1, batchSize: 64, learningRate: 1e-3, backend: 'wasm', threads: 2 },
  history: [],
  trainSeconds: 1,
  backend: 'wasm',
  createdAt: '2026-12-01T00:00:00.000Z',
};

describe('the model cache checks what it reuses', () => {
  let cacheDir: string;
  let pristine: string;

  beforeAll(async () => {
    registerSiameseFusion();
    cacheDir = mkdtempSync(join(tmpdir(), 'prune-cache-'));
    const model = createSiameseModel({ seed: 1 });
    await storeCachedModel(cacheDir, model, meta);
    model.dispose();
    pristine = mkdtempSync(join(tmpdir(), 'prune-cache-copy-'));
    for (const file of ['meta.json', 'model/model.json', 'model/weights.bin']) {
      mkdirSync(join(pristine, 'model'), { recursive: true });
      copyFileSync(join(cacheEntryDir(cacheDir, KEY), file), join(pristine, file));
    }
  });
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(pristine, { recursive: true, force: true });
  });

  /** Restores the entry, then applies `damage` to it. */
  function damaged(damage: (dir: string) => void): string {
    const dir = cacheEntryDir(cacheDir, KEY);
    for (const file of ['meta.json', 'model/model.json', 'model/weights.bin']) copyFileSync(join(pristine, file), join(dir, file));
    damage(dir);
    return dir;
  }

  it('records the SHA-256 of each model file, and reuses an intact entry', async () => {
    const stored = JSON.parse(readFileSync(join(cacheEntryDir(cacheDir, KEY), 'meta.json'), 'utf8')) as CacheMeta;
    expect(stored.format).toBe(2);
    expect(Object.keys(stored.files)).toEqual(['model/model.json', 'model/weights.bin']);
    expect(stored.files['model/weights.bin']).toMatch(/^[0-9a-f]{64}$/);
    const before = memory().numTensors;
    const hit = await loadCachedModel(cacheDir, KEY);
    expect(hit.status).toBe('hit');
    if (hit.status === 'hit') hit.model.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it.each([
    ['weights changed without a size change', (dir: string) => {
      const file = join(dir, 'model/weights.bin');
      const bytes = readFileSync(file);
      for (let i = 1000; i < 1400; i++) bytes[i] = (bytes[i] as number) ^ 0x5a;
      writeFileSync(file, bytes);
    }, /model\/weights\.bin has changed since it was stored/],
    ['NaN weights', (dir: string) => {
      const file = join(dir, 'model/weights.bin');
      const bytes = readFileSync(file);
      new Float32Array(bytes.buffer, bytes.byteOffset, 64).fill(Number.NaN);
      writeFileSync(file, bytes);
    }, /model\/weights\.bin has changed/],
    ['truncated weights', (dir: string) => truncateSync(join(dir, 'model/weights.bin'), 100), /model\/weights\.bin has changed/],
    ['garbage meta.json', (dir: string) => writeFileSync(join(dir, 'meta.json'), '{"format": 2, "key'), /meta\.json is unreadable/],
    ['an edited model.json', (dir: string) => writeFileSync(join(dir, 'model/model.json'), readFileSync(join(dir, 'model/model.json'), 'utf8').replace('"relu"', '"elu"')), /model\/model\.json has changed/],
    ['a missing weights file', (dir: string) => rmSync(join(dir, 'model/weights.bin')), /model\/weights\.bin is unreadable \(ENOENT\)/],
  ])('says an entry with %s is damaged, and why', async (_what, damage, reason) => {
    const dir = damaged(damage);
    const found = await loadCachedModel(cacheDir, KEY);
    expect(found).toEqual({ status: 'damaged', dir, reason: expect.stringMatching(reason) });
    await expect(verifyCacheEntry(dir, KEY)).rejects.toThrow(reason);
  });

  it('replaces a damaged entry when told to, and the new entry verifies', async () => {
    const dir = damaged((d) => writeFileSync(join(d, 'meta.json'), 'garbage'));
    const model = createSiameseModel({ seed: 1 });
    await storeCachedModel(cacheDir, model, meta, { replace: true });
    model.dispose();
    await expect(verifyCacheEntry(dir, KEY)).resolves.toMatchObject({ key: KEY, format: 2 });
  });
});

describe('hashSourceTree (the training code in the cache key)', () => {
  it('changes with any source byte or file name, not with test files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-code-'));
    try {
      mkdirSync(join(dir, 'kernels'));
      writeFileSync(join(dir, 'index.ts'), 'export const lr = 1e-3;\n');
      writeFileSync(join(dir, 'kernels', 'conv.ts'), 'export const conv = 1;\n');
      const base = hashSourceTree(dir);
      writeFileSync(join(dir, 'kernels', 'conv.test.ts'), 'it("x", () => {});\n');
      expect(hashSourceTree(dir)).toBe(base);
      writeFileSync(join(dir, 'kernels', 'conv.ts'), 'export const conv = 2;\n');
      const edited = hashSourceTree(dir);
      expect(edited).not.toBe(base);
      writeFileSync(join(dir, 'kernels', 'conv.ts'), 'export const conv = 1;\n');
      expect(hashSourceTree(dir)).toBe(base);
      writeFileSync(join(dir, 'kernels', 'pool.ts'), '');
      expect(hashSourceTree(dir)).not.toBe(base);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
