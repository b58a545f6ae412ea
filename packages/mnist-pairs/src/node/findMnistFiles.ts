import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MnistFileKey } from '../constants';
import { MNIST_FILE_KEYS, MNIST_FILE_NAMES } from '../constants';

/** The file names accepted for one MNIST file: plain, with dots (train-images.idx3-ubyte), and gzip. */
export function candidateNames(key: MnistFileKey): string[] {
  const plain = MNIST_FILE_NAMES[key];
  const dotted = plain.replace(/-(idx\d-ubyte)$/, '.$1');
  return [plain, `${plain}.gz`, dotted, `${dotted}.gz`];
}

/** Sub-folders searched, in order: the folder itself, then torchvision's layouts (MNIST/raw, raw). */
const SUBDIRS = ['', join('MNIST', 'raw'), 'raw'];

/**
 * Finds the four MNIST IDX files in a folder (plain or .gz names, or torchvision's MNIST/raw layout).
 * A missing file gets an error listing every path looked at.
 */
export function findMnistFiles(folder: string): Record<MnistFileKey, string> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new Error(`MNIST folder ${folder}: does not exist or is not a directory`);
  }
  const found: Partial<Record<MnistFileKey, string>> = {};
  const missing: string[] = [];
  for (const key of MNIST_FILE_KEYS) {
    const tried: string[] = [];
    for (const sub of SUBDIRS) {
      for (const name of candidateNames(key)) {
        const path = join(folder, sub, name);
        tried.push(path);
        if (found[key] === undefined && existsSync(path) && statSync(path).isFile()) found[key] = path;
      }
    }
    if (found[key] === undefined) missing.push(`${MNIST_FILE_NAMES[key]}: looked for ${tried.join(', ')}`);
  }
  if (missing.length > 0) {
    throw new Error(`MNIST folder ${folder}: missing file(s):\n  ${missing.join('\n  ')}`);
  }
  return found as Record<MnistFileKey, string>;
}
