import { io } from '@tensorflow/tfjs-core';

/** Name of the topology file in a saved model directory. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file in a saved model directory. */
export const WEIGHTS_BIN = 'weights.bin';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

// node: modules are imported on use, so that the package still bundles for browsers.
async function node(): Promise<{ fs: Fs; path: Path }> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

/**
 * A tfjs IOHandler (Node) for a directory holding model.json and weights.bin, the layout tfjs loads over HTTP.
 * Each file is written to a temporary name and renamed, weights first, so a crash never leaves a half-written file.
 */
export function fileSystemModelHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error(`fileSystemModelHandler(${dir}): binary topologies are not supported`);
      const { fs, path } = await node();
      await fs.mkdir(dir, { recursive: true });
      const weights = new Uint8Array(io.CompositeArrayBuffer.join(artifacts.weightData));
      const json: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
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
    },

    async load(): Promise<io.ModelArtifacts> {
      const { fs, path } = await node();
      const jsonPath = path.join(dir, MODEL_JSON);
      let text: string;
      try {
        text = await fs.readFile(jsonPath, 'utf8');
      } catch (error) {
        throw new Error(`loading ${jsonPath}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
      }
      let json: io.ModelJSON;
      try {
        json = JSON.parse(text) as io.ModelJSON;
      } catch (error) {
        throw new Error(`loading ${jsonPath}: not valid JSON (${(error as Error).message})`);
      }
      if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
        throw new Error(`loading ${jsonPath}: a tfjs model.json needs 'modelTopology' and 'weightsManifest'`);
      }
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const chunks: Uint8Array[] = [];
        for (const group of manifest) {
          for (const file of group.paths) {
            const filePath = path.join(dir, file);
            try {
              chunks.push(await fs.readFile(filePath));
            } catch (error) {
              throw new Error(`loading ${filePath} (listed in ${jsonPath}): ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
            }
          }
        }
        const data = concat(chunks);
        const expected = specs.reduce((bytes, s) => bytes + byteSize(s), 0);
        if (data.byteLength !== expected) {
          throw new Error(`loading ${dir}: the weights files hold ${data.byteLength} bytes but ${jsonPath} describes ${expected}`);
        }
        return [specs, data.buffer as ArrayBuffer];
      });
    },
  };
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
