import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { MaterialisedBatch } from './naiveStats';

/**
 * The output of `layerName` inside a nested model, computed by a separate probe model (not through a tap) and
 * copied into plain arrays: the naive path the streaming statistics are checked against.
 */
export function materialise(nested: tfl.LayersModel, layerName: string, inputs: readonly Tensor[]): MaterialisedBatch[] {
  const probe = tfl.model({ inputs: nested.inputs, outputs: nested.getLayer(layerName).output as tfl.SymbolicTensor });
  return inputs.map((x) => {
    const y = probe.predict(x, { batchSize: x.shape[0]! }) as Tensor;
    const batch = { values: y.dataSync() as Float32Array, shape: y.shape };
    y.dispose();
    return batch;
  });
}
