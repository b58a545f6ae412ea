import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnistFileKey } from '../constants';
import { DEFAULT_MNIST_BASE_URL, MNIST_FILE_KEYS, MNIST_FILE_NAMES, MNIST_SHA256 } from '../constants';
import { isGzip } from '../parseIdx';
import { gunzipBytes, readIdxFile } from './readIdxFile';

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const OFFLINE_HINT =
  "MNIST is embedded in this package: call loadMnist() (or use { source: { kind: 'embedded' } }) to load it without a download";

/** Options of {@link downloadMnistFiles}. */
export interface DownloadMnistOptions {
  /** Folder that keeps verified downloads; re-used by later calls. */
  cacheDir: string;
  /** Where the `<name>.gz` files are fetched from (defaults to {@link DEFAULT_MNIST_BASE_URL}). */
  baseUrl?: string;
  /** Expected SHA-256 of each uncompressed file (defaults to {@link MNIST_SHA256}). */
  sha256?: Readonly<Record<MnistFileKey, string>>;
}

/**
 * Returns the four MNIST files' uncompressed bytes, from `cacheDir` when a verified copy is there, otherwise
 * fetched from `baseUrl`, verified by SHA-256 and stored (atomically) in `cacheDir`.
 */
export async function downloadMnistFiles(options: DownloadMnistOptions): Promise<Record<MnistFileKey, Uint8Array>> {
  const { cacheDir, sha256 = MNIST_SHA256 } = options;
  const baseUrl = (options.baseUrl ?? DEFAULT_MNIST_BASE_URL).replace(/\/?$/, '/');
  await mkdir(cacheDir, { recursive: true });
  const out: Partial<Record<MnistFileKey, Uint8Array>> = {};
  for (const key of MNIST_FILE_KEYS) {
    const fileName = `${MNIST_FILE_NAMES[key]}.gz`;
    const cachePath = join(cacheDir, fileName);
    if (existsSync(cachePath)) {
      const cached = await readIdxFile(cachePath);
      if (sha256Hex(cached) === sha256[key]) {
        out[key] = cached;
        continue;
      }
      // A damaged or foreign cache entry is replaced by a fresh download.
      await rm(cachePath, { force: true });
    }
    const url = `${baseUrl}${fileName}`;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new Error(`MNIST download of ${url} failed (${cause}); offline? ${OFFLINE_HINT}`, { cause: error });
    }
    if (!response.ok) {
      throw new Error(`MNIST download of ${url} failed: HTTP ${response.status} ${response.statusText}. ${OFFLINE_HINT}`);
    }
    const body = new Uint8Array(await response.arrayBuffer());
    const bytes = isGzip(body) ? await gunzipBytes(body, url) : body;
    const actual = sha256Hex(bytes);
    if (actual !== sha256[key]) {
      throw new Error(
        `MNIST download of ${url}: checksum mismatch: SHA-256 of the uncompressed file is ${actual}, expected ${sha256[key]}`,
      );
    }
    // Write to a temporary name and rename, so an interrupted download never leaves a half file in the cache.
    const tmp = `${cachePath}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, cachePath);
    out[key] = bytes;
  }
  return out as Record<MnistFileKey, Uint8Array>;
}
