import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { isGzip, readIdxHeader } from '../parseIdx';

/** The largest IDX file inflated (1 GiB, twenty times MNIST's largest): a header declaring more is refused unread. */
export const MAX_IDX_BYTES = 2 ** 30;

/**
 * Decompresses gzip bytes of an IDX file, never inflating more than its header declares: the magic number is
 * checked as soon as it is out, and a stream that inflates past the declared length is stopped (a gzip bomb
 * costs that length at most). A damaged stream gets an error naming the file.
 */
export function gunzipBytes(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let length = 0;
    let limit: number | null = null;
    const fail = (error: Error) => {
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (limit === null) {
        try {
          const header = readIdxHeader(chunks.length === 1 ? chunk : Buffer.concat(chunks), name);
          if (header) limit = header.fileLength;
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (limit !== null && limit > MAX_IDX_BYTES) {
          fail(new Error(`IDX file ${name}: its header declares ${limit} bytes, more than the ${MAX_IDX_BYTES} read at most; not an MNIST file`));
          return;
        }
      }
      if (limit !== null && length > limit) {
        fail(new Error(`IDX file ${name}: corrupted: inflates to more than the ${limit} bytes its header declares`));
      }
    });
    gunzip.on('error', (error) => reject(new Error(`IDX file ${name}: corrupted gzip data (${error.message})`, { cause: error })));
    gunzip.on('end', () => {
      const out = Buffer.concat(chunks, length);
      resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    });
    gunzip.end(bytes);
  });
}

/** Reads an IDX file from disk, decompressing it when its bytes are gzip (whatever its name says). */
export async function readIdxFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const buf = await readFile(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    throw new Error(`IDX file ${path}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  return isGzip(bytes) ? gunzipBytes(bytes, path) : bytes;
}
