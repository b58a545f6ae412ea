import { readFile } from 'node:fs/promises';

const DTYPES: Record<string, (buffer: ArrayBuffer, offset: number, count: number) => ArrayLike<number | bigint>> = {
  '<f4': (b, o, n) => new Float32Array(b, o, n),
  '<f8': (b, o, n) => new Float64Array(b, o, n),
  '|u1': (b, o, n) => new Uint8Array(b, o, n),
  '|i1': (b, o, n) => new Int8Array(b, o, n),
  '<u2': (b, o, n) => new Uint16Array(b, o, n),
  '<i2': (b, o, n) => new Int16Array(b, o, n),
  '<i4': (b, o, n) => new Int32Array(b, o, n),
  '<u4': (b, o, n) => new Uint32Array(b, o, n),
  '<i8': (b, o, n) => new BigInt64Array(b, o, n),
  '|b1': (b, o, n) => new Uint8Array(b, o, n),
};

/**
 * Reads a NumPy .npy file (format 1.0–3.0, C order, little-endian numbers or bools) as float32 values and its shape.
 * Errors name the file and say what is wrong.
 */
export async function readNpy(file: string): Promise<{ values: Float32Array; shape: number[] }> {
  const bytes = await readFile(file);
  const buffer = new Uint8Array(bytes).buffer;
  const view = new DataView(buffer);
  if (bytes.length < 10 || bytes[0] !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file (no \\x93NUMPY header); save arrays with numpy.save`);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLength);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${file}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw new Error(`${file}: the array is in Fortran order; save numpy.ascontiguousarray(x) instead`);
  const view1 = DTYPES[descr];
  if (view1 === undefined) throw new Error(`${file}: dtype '${descr}' is not supported; save the array as float32 (x.astype('float32'))`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const width = Number(/\d+$/.exec(descr)![0]);
  if (buffer.byteLength - offset < count * width) throw new Error(`${file}: holds ${buffer.byteLength - offset} bytes of data, but its header's shape (${shape.join(', ')}) needs ${count * width}`);
  // Typed arrays need aligned offsets: copy the data to its own buffer first.
  const data = buffer.slice(offset, offset + count * width);
  const raw = view1(data, 0, count);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = Number(raw[i]!);
  return { values, shape };
}
