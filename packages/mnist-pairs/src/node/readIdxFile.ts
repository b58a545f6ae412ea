import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { isGzip } from '../parseIdx';

const gunzipAsync = promisify(gunzip);

/** Decompresses gzip bytes; a damaged stream gets an error naming the file. */
export async function gunzipBytes(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    throw new Error(`IDX file ${name}: corrupted gzip data (${(error as Error).message})`, { cause: error });
  }
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
