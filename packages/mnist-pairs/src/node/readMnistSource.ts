import { join } from 'node:path';
import type { MnistFileKey } from '../constants';
import { MNIST_FILE_KEYS, MNIST_FILE_NAMES } from '../constants';
import type { MnistIdxBytes } from '../mnistFromIdx';
import type { MnistSource } from '../types';
import { downloadMnistFiles } from './downloadMnist';
import { embeddedMnistDir } from './embeddedMnistDir';
import { findMnistFiles } from './findMnistFiles';
import { readIdxFile } from './readIdxFile';

async function readAll(paths: Record<MnistFileKey, string>): Promise<MnistIdxBytes> {
  const bytes = await Promise.all(MNIST_FILE_KEYS.map((key) => readIdxFile(paths[key])));
  const files = Object.fromEntries(MNIST_FILE_KEYS.map((key, i) => [key, bytes[i]!])) as Record<MnistFileKey, Uint8Array>;
  return { files, names: paths };
}

/** Reads the four MNIST IDX files (uncompressed bytes and the names to use in errors) from a source. */
export async function readMnistSource(source: MnistSource): Promise<MnistIdxBytes> {
  switch (source.kind) {
    case 'embedded': {
      const dir = embeddedMnistDir();
      const paths = Object.fromEntries(MNIST_FILE_KEYS.map((k) => [k, join(dir, MNIST_FILE_NAMES[k])]));
      return readAll(paths as Record<MnistFileKey, string>);
    }
    case 'folder':
      return readAll(findMnistFiles(source.path));
    case 'download': {
      const files = await downloadMnistFiles(
        source.baseUrl === undefined ? { cacheDir: source.cacheDir } : { cacheDir: source.cacheDir, baseUrl: source.baseUrl },
      );
      const names = Object.fromEntries(MNIST_FILE_KEYS.map((k) => [k, join(source.cacheDir, `${MNIST_FILE_NAMES[k]}.gz`)]));
      return { files, names };
    }
    default:
      throw new Error(`loadMnist: unknown source kind '${(source as { kind: unknown }).kind}' (expected embedded, folder or download)`);
  }
}
