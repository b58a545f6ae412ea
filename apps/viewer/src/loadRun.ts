import { parseResults, parseWithSchema, viewerDataIndexSchema, type Results, type ViewerDataIndex } from '@prune/report';

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

/** The evaluation pairs, the model location and the cached features the what-if panel needs. */
export interface ViewerData {
  index: ViewerDataIndex;
  modelUrl: string;
  /** Normalised images [count, 28, 28, 1]. */
  images: Float32Array;
  imageShape: [number, number, number, number];
  /** Image index of each pair's left and right image, in the order of `index.pairs.rows`. */
  pairRows: [Int32Array, Int32Array];
  labels: Uint8Array;
  /** Features of every image at `index.features.cut`, or null when the run ships none. */
  features: Float32Array | null;
}

/** Fetches one binary file of the viewer data and checks its size. */
async function loadBytes(indexUrl: URL, indexName: string, field: string, name: string, shape: readonly number[], bytesPerValue: number): Promise<ArrayBuffer> {
  const url = new URL(name, indexUrl);
  const buffer = await (await fetchOk(url, `${indexName} field '${field}'`)).arrayBuffer();
  const expected = shape.reduce((a, b) => a * b, 1) * bytesPerValue;
  if (buffer.byteLength !== expected) {
    throw new Error(`${indexName} field '${field}': ${name} has ${buffer.byteLength} bytes, shape [${shape.join(', ')}] needs ${expected}`);
  }
  return buffer;
}

/**
 * Reads the what-if data named by results.json's `viewer.index` (the format apps/experiment writes), checking
 * each file's size and every pair index; `withFeatures: false` skips the cached features.
 */
export async function loadViewerData(results: Results, base: URL, options: { withFeatures?: boolean } = {}): Promise<ViewerData> {
  if (!results.viewer) throw new Error("results.json has no viewer data (field 'viewer' is null): what-if pruning is not available for this run");
  const name = results.viewer.index;
  const indexUrl = new URL(name, base);
  const raw: unknown = await (await fetchOk(indexUrl, name)).json();
  const index = parseWithSchema(viewerDataIndexSchema, raw, name);
  const [count] = index.images.shape;
  const pairs = index.pairs.shape[1];
  if (index.labels.shape[0] !== pairs) throw new Error(`${name}: field 'labels.shape' is [${index.labels.shape[0]}], but there are ${pairs} pairs`);
  const features = options.withFeatures === false ? null : index.features;
  if (features && features.shape[0] !== count) throw new Error(`${name}: field 'features.shape' starts with ${features.shape[0]}, but there are ${count} images`);
  const [imageBytes, pairBytes, labelBytes, featureBytes] = await Promise.all([
    loadBytes(indexUrl, name, 'images', index.images.file, index.images.shape, 1),
    loadBytes(indexUrl, name, 'pairs', index.pairs.file, index.pairs.shape, 4),
    loadBytes(indexUrl, name, 'labels', index.labels.file, index.labels.shape, 1),
    features ? loadBytes(indexUrl, name, 'features', features.file, features.shape, 4) : Promise.resolve(null),
  ]);
  const pixels = new Uint8Array(imageBytes);
  const { scale, mean, std } = index.images.normalise;
  // The same float64 expression, rounded once to float32, as the Node loader's lookup table.
  const table = Float32Array.from({ length: 256 }, (_, v) => (v / scale - mean) / std);
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = table[pixels[i] as number] as number;
  const pairIndices = new Int32Array(pairBytes);
  for (const i of pairIndices) if (i < 0 || i >= count) throw new Error(`${name}: pair index ${i} outside the ${count} images`);
  return {
    index,
    modelUrl: new URL(index.model, base).href,
    images,
    imageShape: index.images.shape,
    pairRows: [pairIndices.subarray(0, pairs), pairIndices.subarray(pairs)],
    labels: new Uint8Array(labelBytes),
    features: featureBytes ? new Float32Array(featureBytes) : null,
  };
}
