import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { labelsIdx, removeTempDirs, tempDir } from '../test-utils/idxFixtures';
import { gunzipBytes, readIdxFile } from './readIdxFile';

/** Gzip of `head` followed by `zeros` zero bytes, compressed as a stream (the inflated bytes are never held). */
function gzipBomb(head: Uint8Array, zeros: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
    const out: Buffer[] = [];
    gzip.on('data', (c: Buffer) => out.push(c));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    gzip.write(head);
    const block = Buffer.alloc(1 << 20);
    for (let left = zeros; left > 0; left -= block.length) gzip.write(left >= block.length ? block : block.subarray(0, left));
    gzip.end();
  });
}

afterAll(removeTempDirs);

describe('readIdxFile of gzip files', () => {
  it('inflates a well-formed .gz exactly', async () => {
    const idx = labelsIdx([3, 1, 4, 1, 5]);
    const dir = tempDir();
    writeFileSync(join(dir, 'labels.gz'), gzipSync(idx));
    expect(Array.from(await readIdxFile(join(dir, 'labels.gz')))).toEqual(Array.from(idx));
  });

  it('stops a gzip bomb at the length its header declares', async () => {
    // A header for 10 labels, then 64 MiB of zeros: the stream is cut after 18 bytes plus one chunk.
    const bomb = await gzipBomb(labelsIdx(Array.from({ length: 10 }, () => 0)), 64 << 20);
    expect(bomb.length).toBeLessThan(1 << 20);
    await expect(gunzipBytes(bomb, 'bomb.gz')).rejects.toThrow('IDX file bomb.gz: corrupted: inflates to more than the 18 bytes its header declares');
  });

  it('refuses a bad magic number as soon as it is inflated', async () => {
    const bomb = await gzipBomb(new Uint8Array([0x12, 0x34, 0x08, 0x01]), 64 << 20);
    await expect(gunzipBytes(bomb, 'zeros.gz')).rejects.toThrow('IDX file zeros.gz: corrupted magic number 0x12340801');
  });

  it('refuses a header declaring more than any MNIST file before inflating it', async () => {
    const head = new Uint8Array([0, 0, 0x08, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28]);
    await expect(gunzipBytes(gzipSync(head), 'huge.gz')).rejects.toThrow(/huge\.gz: its header declares 1683627179264 bytes/);
  });

  it('names the file of a truncated gzip stream', async () => {
    const gz = gzipSync(labelsIdx([1, 2, 3]));
    await expect(gunzipBytes(gz.subarray(0, gz.length - 6), 'cut.gz')).rejects.toThrow(/cut\.gz: corrupted gzip data/);
  });
});
