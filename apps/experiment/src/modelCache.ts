import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { PairSet } from '@prune/mnist-pairs';
import type { EpochRecord } from '@prune/report';
import { fileSystem } from '@prune/core/node';
import { DEFAULT_SIAMESE_CONFIG, loadSiameseFrom } from '@prune/siamese';
import { writeDirAtomic, writeJsonAtomic } from './atomicWrite.js';
import { hashSourceTree } from './hashSourceTree.js';

/** Bumped when the layout of an entry changes (2: meta.json records the SHA-256 of every model file). */
const CACHE_FORMAT = 2;

/** The files of an entry's model whose SHA-256 meta.json records. */
const MODEL_FILES = ['model/model.json', 'model/weights.bin'] as const;

/** What determines a trained model: the architecture, the training settings, the numerics and the exact training pairs. */
export interface TrainingIdentity {
  modelSeed: number;
  trainSeed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The tfjs backend that trains (each computes in its own way). */
  backend: string;
  /** Threads of the wasm backend (they change the summation order); null for other backends. */
  threads: number | null;
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
  /** SHA-256 of each model file (paths relative to the entry), checked on every reuse. */
  files: Record<string, string>;
}

/** The workspace packages whose code trains the model: the loop and the model, the wasm gradient kernels, the batching. */
const TRAINING_PACKAGES = ['@prune/siamese', '@prune/backend', '@prune/mnist-pairs'] as const;
/** The tfjs packages whose kernels train it. */
const TFJS_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'] as const;

let fingerprint: Record<string, string> | undefined;

/**
 * The training code as it runs now: a hash of the files of each training package's loaded entry folder (its src/
 * under the @prune/source condition, else its dist/), and the tfjs versions. A change to that code changes the key.
 */
export function trainingCodeFingerprint(): Record<string, string> {
  if (fingerprint) return fingerprint;
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of TRAINING_PACKAGES) out[name] = hashSourceTree(dirname(fileURLToPath(import.meta.resolve(name))));
  for (const name of TFJS_PACKAGES) out[name] = (require(`${name}/package.json`) as { version: string }).version;
  fingerprint = out;
  return out;
}

/**
 * The cache key: a SHA-256 over the training identity, the architecture, the training code's fingerprint and the
 * training pairs' pixels and labels.
 */
export function modelCacheKey(identity: TrainingIdentity, pairs: PairSet, code: Record<string, string> = trainingCodeFingerprint()): string {
  const hash = createHash('sha256');
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

async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** What a look-up found: nothing, a damaged entry (and why), or the model. */
export type CacheLookup = { status: 'missing' } | { status: 'damaged'; dir: string; reason: string } | { status: 'hit'; model: LayersModel; meta: CacheMeta };

/**
 * Checks an entry without loading it: meta.json readable and for this key, and every model file's SHA-256 the one
 * recorded when it was stored. Returns the meta, or throws saying what is wrong.
 */
export async function verifyCacheEntry(dir: string, key: string): Promise<CacheMeta> {
  let meta: CacheMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as CacheMeta;
  } catch (error) {
    throw new Error(`meta.json is unreadable (${(error as Error).message})`);
  }
  if (meta?.format !== CACHE_FORMAT || meta.key !== key) throw new Error(`meta.json is for format ${meta?.format}, key ${meta?.key}`);
  for (const file of MODEL_FILES) {
    const expected = meta.files?.[file];
    if (typeof expected !== 'string') throw new Error(`meta.json records no SHA-256 of ${file}`);
    let actual: string;
    try {
      actual = await sha256File(join(dir, file));
    } catch (error) {
      throw new Error(`${file} is unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (actual !== expected) throw new Error(`${file} has changed since it was stored (SHA-256 ${actual.slice(0, 12)}…, recorded ${expected.slice(0, 12)}…)`);
  }
  return meta;
}

/** Looks up a cached model: its content is checked against the recorded hashes before it is loaded. */
export async function loadCachedModel(cacheDir: string, key: string): Promise<CacheLookup> {
  const dir = cacheEntryDir(cacheDir, key);
  try {
    await stat(dir);
  } catch {
    return { status: 'missing' };
  }
  try {
    const meta = await verifyCacheEntry(dir, key);
    const model = await loadSiameseFrom(fileSystem(join(dir, 'model')));
    return { status: 'hit', model, meta };
  } catch (error) {
    return { status: 'damaged', dir, reason: (error as Error).message };
  }
}

/**
 * Stores a trained model in the cache as one atomic folder rename, with the SHA-256 of its files in meta.json.
 * With `replace` (--no-cache, or a damaged entry) an existing entry is replaced; otherwise an entry written
 * meanwhile by another run is kept.
 */
export async function storeCachedModel(cacheDir: string, model: LayersModel, meta: Omit<CacheMeta, 'files' | 'format'>, options: { replace?: boolean } = {}): Promise<CacheMeta> {
  let stored: CacheMeta = { format: CACHE_FORMAT, ...meta, files: {} };
  await writeDirAtomic(
    cacheEntryDir(cacheDir, meta.key),
    async (temp) => {
      await model.save(fileSystem(join(temp, 'model')));
      const files: Record<string, string> = {};
      for (const file of MODEL_FILES) files[file] = await sha256File(join(temp, file));
      stored = { format: CACHE_FORMAT, ...meta, files };
      await writeJsonAtomic(join(temp, 'meta.json'), stored);
    },
    { keepExisting: !options.replace },
  );
  return stored;
}
