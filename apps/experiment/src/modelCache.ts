import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { PairSet } from '@prune/mnist-pairs';
import type { EpochRecord } from '@prune/report';
import { fileSystem } from '@prune/core/node';
import { DEFAULT_SIAMESE_CONFIG, loadSiameseFrom } from '@prune/siamese';
import { writeDirAtomic, writeJsonAtomic } from './atomicWrite.js';

/** Bumped when the training code changes what a cached model would be. */
const CACHE_FORMAT = 1;

/** What determines a trained model: the architecture, the training settings and the exact training pairs. */
export interface TrainingIdentity {
  modelSeed: number;
  trainSeed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

/** Metadata stored next to a cached model. */
export interface CacheMeta {
  format: number;
  key: string;
  identity: TrainingIdentity;
  history: EpochRecord[];
  trainSeconds: number;
  backend: string;
  createdAt: string;
}

/** Versions of the packages whose code shapes a trained model (the training loop and the training kernels). */
function trainingCodeVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return { '@prune/siamese': versionOf('@prune/siamese'), '@prune/backend': versionOf('@prune/backend') };
}

/**
 * The cache key: a SHA-256 over the training identity, the architecture, the versions of the training code and the
 * training pairs' pixels and labels.
 */
export function modelCacheKey(identity: TrainingIdentity, pairs: PairSet): string {
  const hash = createHash('sha256');
  const code = trainingCodeVersions();
  hash.update(JSON.stringify({ format: CACHE_FORMAT, architecture: DEFAULT_SIAMESE_CONFIG, code, identity }));
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  hash.update(bytes(pairs.split.images));
  hash.update(bytes(pairs.split.labels));
  hash.update(bytes(pairs.left));
  hash.update(bytes(pairs.right));
  hash.update(bytes(pairs.labels));
  return hash.digest('hex').slice(0, 20);
}

/** Folder of one cache entry (holding model/ and meta.json). */
export function cacheEntryDir(cacheDir: string, key: string): string {
  return join(cacheDir, key);
}

/** A cached model and its metadata, or null when absent; a broken entry gives a warning via `warn` and null. */
export async function loadCachedModel(cacheDir: string, key: string, warn: (line: string) => void): Promise<{ model: LayersModel; meta: CacheMeta } | null> {
  const dir = cacheEntryDir(cacheDir, key);
  try {
    await stat(dir);
  } catch {
    return null;
  }
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as CacheMeta;
    if (meta.format !== CACHE_FORMAT || meta.key !== key) throw new Error(`meta.json is for format ${meta.format}, key ${meta.key}`);
    const model = await loadSiameseFrom(fileSystem(join(dir, 'model')));
    return { model, meta };
  } catch (error) {
    warn(`model cache entry ${dir} is unreadable (${(error as Error).message}); training again`);
    return null;
  }
}

/**
 * Stores a trained model in the cache as one atomic folder rename. With `replace` (--no-cache) an existing entry is
 * replaced; otherwise an entry written meanwhile by another run is kept.
 */
export async function storeCachedModel(cacheDir: string, model: LayersModel, meta: CacheMeta, options: { replace?: boolean } = {}): Promise<void> {
  await writeDirAtomic(
    cacheEntryDir(cacheDir, meta.key),
    async (temp) => {
      await model.save(fileSystem(join(temp, 'model')));
      await writeJsonAtomic(join(temp, 'meta.json'), meta);
    },
    { keepExisting: !options.replace },
  );
}
