import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { maskChannels } from '../masks/channelMask';
import { pruneChannels } from '../surgery/pruneChannels';
import { randomInputs, smallSiamese } from '../test-utils/testModels';
import { modelFiles } from './modelFiles';

describe('modelFiles', () => {
  it('gives model.json and weights.bin that load back into the same pruned model', async () => {
    const model = smallSiamese({ seed: 3 });
    const pruned = (await pruneChannels(model, maskChannels('conv2', 6, [1, 4]))) as LayersModel;
    const files = await modelFiles(pruned);
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as { weightsManifest: Array<{ paths: string[]; weights: Array<{ shape: number[] }> }> };
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const bytes = json.weightsManifest[0]!.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect(files[1]!.bytes.byteLength).toBe(bytes);

    // Load through the http loader's own path: a fetch that serves the two files.
    const served = new Map(files.map((f) => [`http://files/${f.name}`, f.bytes]));
    const fetchFiles = async (url: string | URL | Request): Promise<Response> => new Response(served.get(String(url)) ?? null, { status: served.has(String(url)) ? 200 : 404 });
    const loaded = await loadLayersModel(tf.io.http('http://files/model.json', { fetchFunc: fetchFiles }));
    const x = [randomInputs(5, [12, 12, 1], 1), randomInputs(5, [12, 12, 1], 2)];
    const a = pruned.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, ...x]);
    [model, pruned, loaded].forEach((m) => m.dispose());
  });
});
