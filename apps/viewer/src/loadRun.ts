import { parseResults, parseWithSchema, type Results } from '@prune/report';
import { viewerDataIndexSchema, type ArrayFile, type ViewerDataIndex } from './viewerDataIndex';

async function fetchOk(url: URL, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${what}: could not be read from ${url.href} (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`${what}: ${url.href} answered ${response.status} ${response.statusText}`);
  return response;
}

/** Reads and validates results.json of the run folder at `base` (a folder URL ending in '/'). */
export async function loadResults(base: URL): Promise<Results> {
  const url = new URL('results.json', base);
  const text = await (await fetchOk(url, 'results.json')).text();
  return parseResults(text, 'results.json');
}

/** The evaluation pairs and model location the what-if panel needs. */
export interface ViewerData {
  index: ViewerDataIndex;
  modelUrl: string;
  /** Normalised images [count, 28, 28, 1]. */
  images: Float32Array;
  imageShape: number[];
  left: Int32Array;
  right: Int32Array;
  labels: Uint8Array;
}

const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;

async function loadArray(indexUrl: URL, name: string, spec: ArrayFile): Promise<Float32Array | Int32Array | Uint8Array> {
  const url = new URL(spec.file, indexUrl);
  const buffer = await (await fetchOk(url, `viewer data '${name}'`)).arrayBuffer();
  const Type = ARRAY_TYPES[spec.dtype];
  const expected = spec.shape.reduce((a, b) => a * b, 1);
  if (buffer.byteLength !== expected * Type.BYTES_PER_ELEMENT) {
    throw new Error(`viewer data '${name}' (${spec.file}): ${buffer.byteLength} bytes, expected ${expected} ${spec.dtype} values of shape [${spec.shape.join(', ')}]`);
  }
  return new Type(buffer);
}

/** Reads the what-if data named by results.json's `viewer.index`, checking every array's size and indices. */
export async function loadViewerData(results: Results, base: URL): Promise<ViewerData> {
  if (!results.viewer) throw new Error('results.json has no viewer data (field \'viewer\' is null): what-if pruning is not available for this run');
  const indexUrl = new URL(results.viewer.index, base);
  const raw: unknown = await (await fetchOk(indexUrl, results.viewer.index)).json();
  const index = parseWithSchema(viewerDataIndexSchema, raw, results.viewer.index);
  const { arrays } = index;
  const expectDtype = (name: keyof typeof arrays, dtype: ArrayFile['dtype']): void => {
    if (arrays[name].dtype !== dtype) throw new Error(`${results.viewer?.index}: field 'arrays.${name}.dtype' is ${arrays[name].dtype}, expected ${dtype}`);
  };
  expectDtype('images', 'float32');
  expectDtype('left', 'int32');
  expectDtype('right', 'int32');
  expectDtype('labels', 'uint8');
  const [images, left, right, labels] = await Promise.all([
    loadArray(indexUrl, 'images', arrays.images),
    loadArray(indexUrl, 'left', arrays.left),
    loadArray(indexUrl, 'right', arrays.right),
    loadArray(indexUrl, 'labels', arrays.labels),
  ]);
  const count = arrays.images.shape[0] ?? 0;
  const pairs = labels.length;
  if (left.length !== pairs || right.length !== pairs) throw new Error(`${results.viewer.index}: left, right and labels differ in length (${left.length}, ${right.length}, ${pairs})`);
  for (const side of [left, right]) {
    for (const i of side) if (i < 0 || i >= count) throw new Error(`${results.viewer.index}: pair index ${i} outside the ${count} images`);
  }
  return {
    index,
    modelUrl: new URL(index.model, indexUrl).href,
    images: images as Float32Array,
    imageShape: arrays.images.shape.slice(1),
    left: left as Int32Array,
    right: right as Int32Array,
    labels: labels as Uint8Array,
  };
}
