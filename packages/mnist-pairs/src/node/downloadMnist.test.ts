import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILE_KEYS, MNIST_FILE_NAMES, MNIST_SHA256 } from '../constants';
import { labelCounts } from '../labelCounts';
import { loadMnist } from './loadMnist';
import { labelsIdx, removeTempDirs, tempDir } from '../test-utils/idxFixtures';
import { downloadMnistFiles } from './downloadMnist';
import { embeddedMnistDir } from './embeddedMnistDir';

// A local HTTP server stands in for the mirror: it serves gzip copies of the real files, counts requests,
// and can be told to tamper with one file.
const served = new Map<string, Buffer>();
const requests: string[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const dir = embeddedMnistDir();
  for (const key of MNIST_FILE_KEYS) {
    served.set(`/mnist/${MNIST_FILE_NAMES[key]}.gz`, gzipSync(readFileSync(join(dir, MNIST_FILE_NAMES[key])), { level: 1 }));
  }
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = served.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mnist`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removeTempDirs();
});

describe('download source', () => {
  it('downloads, verifies and caches the four files; a second load reads the cache only', async () => {
    const cacheDir = join(tempDir(), 'cache');
    requests.length = 0;
    const mnist = await loadMnist({ source: { kind: 'download', cacheDir, baseUrl } });
    expect([mnist.train.count, mnist.test.count]).toEqual([60000, 10000]);
    expect(labelCounts(mnist.test.labels)[1]).toBe(1135);
    expect(requests).toHaveLength(4);
    for (const key of MNIST_FILE_KEYS) expect(existsSync(join(cacheDir, `${MNIST_FILE_NAMES[key]}.gz`))).toBe(true);
    const again = await loadMnist({ source: { kind: 'download', cacheDir, baseUrl } });
    expect(requests).toHaveLength(4);
    expect(Buffer.from(again.test.images.buffer).equals(Buffer.from(mnist.test.images.buffer))).toBe(true);
  });

  it('rejects a file whose checksum differs and leaves nothing in the cache for it', async () => {
    const cacheDir = tempDir();
    const sha256 = { ...MNIST_SHA256, trainLabels: '0'.repeat(64) };
    await expect(downloadMnistFiles({ cacheDir, baseUrl, sha256 })).rejects.toThrow(
      new RegExp(`${baseUrl}/train-labels-idx1-ubyte\\.gz: checksum mismatch: SHA-256 of the uncompressed file is ${MNIST_SHA256.trainLabels}, expected 0{64}`),
    );
    expect(existsSync(join(cacheDir, 'train-labels-idx1-ubyte.gz'))).toBe(false);
  });

  it('replaces a damaged cache entry with a fresh, verified download', async () => {
    const cacheDir = tempDir();
    await downloadMnistFiles({ cacheDir, baseUrl });
    const path = join(cacheDir, 't10k-labels-idx1-ubyte.gz');
    writeFileSync(path, gzipSync(labelsIdx([1, 2, 3])));
    requests.length = 0;
    const files = await downloadMnistFiles({ cacheDir, baseUrl });
    expect(requests).toEqual(['/mnist/t10k-labels-idx1-ubyte.gz']);
    expect(files.testLabels.length).toBe(10008);
  });

  it('says what failed and points at the embedded default when offline or the file is missing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(loadMnist({ source: { kind: 'download', cacheDir: tempDir(), baseUrl: `http://127.0.0.1:${port}/` } })).rejects.toThrow(
      new RegExp(`download of http://127\\.0\\.0\\.1:${port}/train-images-idx3-ubyte\\.gz failed .*offline\\? MNIST is embedded in this package: call loadMnist\\(\\)`),
    );
    await expect(loadMnist({ source: { kind: 'download', cacheDir: tempDir(), baseUrl: `${baseUrl}/elsewhere` } })).rejects.toThrow(
      /elsewhere\/train-images-idx3-ubyte\.gz failed: HTTP 404 .*call loadMnist\(\)/,
    );
  });
});
