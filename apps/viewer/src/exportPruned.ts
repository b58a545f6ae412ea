import { gather, tensor1d, tensor4d, tidy, type Tensor } from '@tensorflow/tfjs-core';
// tfjs's own browser download handler; imported from its module, whose registration as `downloads://` a bundler
// may drop (tfjs-core does not list that file among its side effects).
import { browserDownloads } from '@tensorflow/tfjs-core/dist/io/browser_files';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { maskChannels, modelArtifacts, pruneChannels } from '@prune/core';
import type { ViewerData } from './loadRun';
import { rowOfInput } from './whatIfEngine';

/** A physically pruned model made in the page and downloaded, and its accuracy measured by running it. */
export interface PrunedExport {
  /** Test pair accuracy of the pruned model itself (whole-model predict on the pairs' images). */
  accuracy: number;
  params: number;
}

/**
 * Removes the channels `off` of `layer` from `model` by surgery (@prune/core's pruneChannels, as in Node), offers
 * it as the downloads `<name>.json` + `<name>.weights.bin` (tfjs's browser download handler, the layers format every
 * tfjs loader reads), and measures its test pair accuracy with a plain predict over the pairs: an independent check
 * of the what-if number, which comes from the mask evaluator.
 */
export async function exportPruned(model: LayersModel, layer: string, channels: number, off: readonly number[], data: ViewerData, name: string): Promise<PrunedExport> {
  const pruned = await pruneChannels(model, maskChannels(layer, channels, off));
  try {
    await browserDownloads(name).save!(await modelArtifacts(pruned));
    const rows = rowOfInput(pruned, data.index.pairs.rows).map((r) => data.pairRows[r] as Int32Array);
    const count = data.labels.length;
    let correct = 0;
    const batch = 250;
    const images = tensor4d(data.images, data.imageShape); // [images, 28, 28, 1]
    try {
      for (let start = 0; start < count; start += batch) {
        const end = Math.min(count, start + batch);
        const p = tidy(() => pruned.predict(rows.map((units) => gather(images, tensor1d(units.subarray(start, end), 'int32')))) as Tensor);
        const values = await p.data();
        p.dispose();
        for (let i = 0; i < values.length; i++) if (((values[i] as number) >= 0.5 ? 1 : 0) === data.labels[start + i]) correct++;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      images.dispose();
    }
    return { accuracy: correct / count, params: pruned.countParams() };
  } finally {
    pruned.dispose();
  }
}
