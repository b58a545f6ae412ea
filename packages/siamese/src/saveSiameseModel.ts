import type { io } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fileSystemModelHandler } from './fileSystemModelHandler';
import { loadSiameseFrom } from './modelArtifacts';

/** Saves a model (Node) as `dir/model.json` + `dir/weights.bin`, each file written atomically; creates `dir`. */
export async function saveSiameseModel(model: LayersModel, dir: string): Promise<void> {
  await model.save(fileSystemModelHandler(dir));
}

/**
 * Loads a model saved by {@link saveSiameseModel}: from a directory (Node), or through a tfjs IOHandler such as
 * `io.http('…/model.json')` in a browser.
 */
export async function loadSiameseModel(source: string | io.IOHandler): Promise<LayersModel> {
  return loadSiameseFrom(typeof source === 'string' ? fileSystemModelHandler(source) : source);
}
