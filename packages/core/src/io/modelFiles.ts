import { io } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** One file of a saved model: its name and bytes, as a browser download or a file write takes them. */
export interface ModelFile {
  /** `model.json` or the weights file named in its manifest. */
  name: string;
  bytes: Uint8Array;
  /** MIME type. */
  type: 'application/json' | 'application/octet-stream';
}

/**
 * A saved model's artifacts as the two files of the tfjs layers format: `model.json` (topology and a manifest naming
 * the weights file) and `<weightsName>` (every weight, in manifest order). Works in a browser and in Node; load the
 * files back with `loadLayersModel` (from a folder, or `io.browserFiles` in a page).
 */
export function artifactsToFiles(artifacts: io.ModelArtifacts, weightsName = 'weights.bin'): ModelFile[] {
  if (!artifacts.modelTopology) throw new Error('artifactsToFiles: the artifacts have no model topology');
  const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : io.CompositeArrayBuffer.join(artifacts.weightData);
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  return [
    { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)), type: 'application/json' },
    { name: weightsName, bytes: new Uint8Array(weights), type: 'application/octet-stream' },
  ];
}

/** Saves `model` (e.g. a pruned copy) in memory and returns its files, {@link artifactsToFiles}. */
export async function modelFiles(model: LayersModel, weightsName = 'weights.bin'): Promise<ModelFile[]> {
  let files: ModelFile[] = [];
  await model.save(
    io.withSaveHandler(async (artifacts) => {
      files = artifactsToFiles(artifacts, weightsName);
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files;
}
