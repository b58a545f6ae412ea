import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes of an unsigned-byte IDX file with the given dimensions and data. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** An images file of `count` 28×28 images whose pixel values are (image index + pixel index) mod 256. */
export function imagesIdx(count: number, rows = 28, cols = 28): Uint8Array {
  const data = new Uint8Array(count * rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = (Math.floor(i / (rows * cols)) + i) % 256;
  return idxBytes([count, rows, cols], data);
}

/** A labels file holding the given labels. */
export function labelsIdx(labels: number[]): Uint8Array {
  return idxBytes([labels.length], labels);
}

const created: string[] = [];

/** A fresh temporary directory, removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'mnist-pairs-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory made by {@link tempDir}. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
