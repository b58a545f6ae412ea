import { io } from '@tensorflow/tfjs-core';
import { repairTopology, type JsonObject } from '../surgery/modelTopology';

/** Name of the topology file in a saved model directory. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file that {@link fileSystem} writes. */
export const WEIGHTS_BIN = 'weights.bin';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

// node: modules are imported on use: nothing runs at import time.
async function node(): Promise<{ fs: Fs; path: Path }> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

/**
 * A tfjs IOHandler (Node) for a directory holding `model.json` and its weight files: the layout tfjs loads over HTTP
 * and tfjs-converter writes. Works for any tfjs-layers model, without tfjs-node.
 *
 * Saving writes `model.json` and one `weights.bin`, each to a temporary name then renamed, weights first, so a crash
 * never leaves a half-written file. What tfjs-layers 4.22 leaves out of a topology (SeparableConv2D's depth
 * multiplier) is put back from the weights, on save and on load. Loading reads every shard the manifest lists (Keras-converted models have
 * several) and names the file when one is missing, damaged or of the wrong size.
 *
 * @param dir The model's directory (created on save), or the path of its `model.json`.
 * @returns An IOHandler for `model.save(...)` and `tf.loadLayersModel(...)`.
 * @example
 * ```ts
 * import { loadLayersModel } from '@tensorflow/tfjs-layers';
 * import { fileSystem } from '@prune/core/node';
 *
 * await pruned.save(fileSystem('./pruned'));
 * const again = await loadLayersModel(fileSystem('./pruned'));
 * ```
 */
export function fileSystem(dir: string): io.IOHandler {
  if (typeof dir !== 'string' || dir === '') throw new Error('fileSystem(dir): dir must be a non-empty path');
  const folder = dir.endsWith(`/${MODEL_JSON}`) || dir === MODEL_JSON ? dir.slice(0, -MODEL_JSON.length) || '.' : dir;
  return {
    save: (artifacts) => saveArtifacts(folder, artifacts),
    load: () => loadArtifacts(folder),
  };
}

async function saveArtifacts(dir: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error(`fileSystem(${dir}): binary topologies are not supported`);
  const { fs, path } = await node();
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(`creating ${dir}: ${(error as Error).message}`);
  }
  const weights = new Uint8Array(io.CompositeArrayBuffer.join(artifacts.weightData));
  // tfjs-layers 4.22's `model.save` leaves SeparableConv2D's depth multiplier out: put it back (on a copy).
  const topology = repairTopology(structuredClone((artifacts.modelTopology ?? {}) as JsonObject), artifacts.weightSpecs ?? []);
  const json: io.ModelJSON = {
    modelTopology: topology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  await writeFileAtomic(fs, path.join(dir, WEIGHTS_BIN), weights);
  await writeFileAtomic(fs, path.join(dir, MODEL_JSON), new TextEncoder().encode(JSON.stringify(json)));
  return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights.buffer }) };
}

async function loadArtifacts(dir: string): Promise<io.ModelArtifacts> {
  const { fs, path } = await node();
  const jsonPath = path.join(dir, MODEL_JSON);
  const json = parseModelJson(jsonPath, await readOrExplain(fs, jsonPath));
  // A model.json another writer saved from tfjs-layers 4.22 lacks SeparableConv2D's depth multiplier too.
  repairTopology(json.modelTopology as JsonObject, json.weightsManifest.flatMap((group) => group.weights));
  return io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const chunks: Uint8Array[] = [];
    for (const file of manifest.flatMap((group) => group.paths)) {
      chunks.push(await readOrExplain(fs, path.join(dir, file), jsonPath));
    }
    const data = concat(chunks);
    const expected = specs.reduce((bytes, s) => bytes + byteSize(s), 0);
    if (data.byteLength !== expected) {
      throw new Error(`loading ${dir}: the weights files hold ${data.byteLength} bytes but ${jsonPath} describes ${expected}`);
    }
    return [specs, data.buffer as ArrayBuffer];
  });
}

function parseModelJson(jsonPath: string, bytes: Uint8Array): io.ModelJSON {
  let json: io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as io.ModelJSON;
  } catch (error) {
    throw new Error(`loading ${jsonPath}: not valid JSON (${(error as Error).message})`);
  }
  if (json == null || json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new Error(`loading ${jsonPath}: a tfjs model.json needs 'modelTopology' and 'weightsManifest'`);
  }
  const topology = json.modelTopology as { node?: unknown };
  if (json.format === 'graph-model' || Array.isArray(topology.node)) {
    throw new Error(
      `loading ${jsonPath}: this is a tfjs graph model (format '${json.format ?? 'graph'}'), which has no layers to prune; ` +
        'convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model',
    );
  }
  return json;
}

async function readOrExplain(fs: Fs, file: string, listedIn?: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = listedIn ? `${file} (listed in ${listedIn})` : file;
    throw new Error(`loading ${where}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

async function writeFileAtomic(fs: Fs, file: string, data: Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw new Error(`writing ${file}: ${(error as Error).message}`);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function byteSize(spec: io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES[dtype];
  if (size == null) throw new Error(`weight '${spec.name}': unsupported dtype ${dtype}`);
  return count * size;
}
