import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { releaseSharedLayers } from '@prune/core';

/** A model read from dropped files, with the bytes of those files. */
export interface DroppedModel {
  model: LayersModel;
  /** Bytes of model.json plus its weight shards, as dropped. */
  bytes: number;
  files: string[];
}

const base = (path: string) => path.replace(/^.*\//, '');

/**
 * Loads a tfjs layers model from dropped files (one .json, and every shard its manifest lists), checking first what
 * tfjs would only report vaguely: a graph model instead of a layers model, a missing shard (named), a stray file.
 */
export async function loadDroppedModel(files: readonly File[]): Promise<DroppedModel> {
  const jsons = files.filter((f) => f.name.endsWith('.json'));
  if (jsons.length !== 1) throw new Error(`drop exactly one model.json with its weight shards (got ${jsons.length} .json files: ${jsons.map((f) => f.name).join(', ') || 'none'})`);
  const jsonFile = jsons[0]!;
  let json: io.ModelJSON;
  try {
    json = JSON.parse(await jsonFile.text()) as io.ModelJSON;
  } catch (error) {
    throw new Error(`${jsonFile.name}: not valid JSON (${(error as Error).message})`);
  }
  if (json?.modelTopology == null || !Array.isArray(json.weightsManifest)) throw new Error(`${jsonFile.name}: a tfjs model.json needs 'modelTopology' and 'weightsManifest'`);
  if (json.format === 'graph-model' || Array.isArray((json.modelTopology as { node?: unknown }).node)) {
    throw new Error(`${jsonFile.name} is a tfjs graph model, which has no layers to prune; convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model`);
  }
  const shards = json.weightsManifest.flatMap((g) => g.paths.map(base));
  const byName = new Map(files.filter((f) => f !== jsonFile).map((f) => [f.name, f]));
  const missing = shards.filter((s) => !byName.has(s));
  if (missing.length > 0) throw new Error(`${jsonFile.name} lists weight file(s) ${missing.map((m) => `'${m}'`).join(', ')} that were not dropped; drop model.json together with every shard`);
  const used = shards.map((s) => byName.get(s)!);
  const model = await loadLayersModel(io.browserFiles([jsonFile, ...used]));
  releaseSharedLayers(model); // so that dispose() frees a shared encoder's weights too
  return { model, bytes: jsonFile.size + used.reduce((n, f) => n + f.size, 0), files: [jsonFile.name, ...shards] };
}
