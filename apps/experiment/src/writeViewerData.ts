import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { dispose, tensor4d, type Tensor } from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import { IMAGE_PIXELS, IMAGE_SIZE, MNIST_MEAN, MNIST_STD, type PairSet } from '@prune/mnist-pairs';
import { writeFileAtomic, writeJsonAtomic } from './atomicWrite.js';
import { layerSemantics } from '@prune/core';
import { channelChain } from './channelChain.js';
import type { ViewerDataIndex } from '@prune/report';
import { containerOf } from './containerOf.js';

/** Version of the viewer data format (apps/experiment/README.md describes it). */
export const VIEWER_DATA_VERSION = 1;

type FeatureInfo = NonNullable<ViewerDataIndex['features']>;

/**
 * Writes what the viewer needs to recompute test accuracy for any channel mask in the browser: the test images
 * (raw 0–255 pixels), the pairs and labels, and the features at the cut just after the pruned layer's element-wise
 * successors on its pruning group's path (ReLU, max-pool), computed once per test image by the trained model.
 * Pruning channel c leaves these features unchanged (its consumers stop reading it), so the viewer's mask evaluator
 * starts from them. Returns the index path
 * (relative to the run folder).
 */
export async function writeViewerData(
  runDir: string,
  model: LayersModel,
  layer: string,
  test: PairSet,
  channels: number,
  options: { modelPath: string; batchSize?: number },
): Promise<string> {
  const dir = join(runDir, 'viewer-data');
  await mkdir(dir, { recursive: true });
  const split = test.split;
  const pixels = new Uint8Array(split.count * IMAGE_PIXELS);
  // Exact inverse of the normalisation for pixels that were integers 0…255.
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(((split.images[i] as number) * MNIST_STD + MNIST_MEAN) * 255);
  await writeFileAtomic(join(dir, 'test-images.u8'), pixels);
  const pairs = new Int32Array(2 * test.count);
  pairs.set(test.left, 0);
  pairs.set(test.right, test.count);
  await writeFileAtomic(join(dir, 'test-pairs.i32'), new Uint8Array(pairs.buffer));
  await writeFileAtomic(join(dir, 'test-labels.u8'), test.labels);

  const entry = resolveLayerEntry(model, layer);
  const features = await writeFeatures(dir, model, entry.path, split.images, split.count, options.batchSize ?? 250);
  const index: ViewerDataIndex = {
    format: 'prune-viewer-data',
    version: VIEWER_DATA_VERSION,
    layer: entry.path,
    channels,
    model: options.modelPath,
    images: { file: 'test-images.u8', dtype: 'uint8', shape: [split.count, IMAGE_SIZE, IMAGE_SIZE, 1], normalise: { scale: 255, mean: MNIST_MEAN, std: MNIST_STD } },
    pairs: { file: 'test-pairs.i32', dtype: 'int32', shape: [2, test.count], rows: ['left', 'right'] },
    labels: { file: 'test-labels.u8', dtype: 'uint8', shape: [test.count] },
    features,
  };
  await writeJsonAtomic(join(dir, 'index.json'), index);
  return 'viewer-data/index.json';
}

/** Features at the cut for every image, when the pruned layer sits in a single-input (sub)model; else null. */
async function writeFeatures(dir: string, model: LayersModel, path: string, images: Float32Array, count: number, batchSize: number): Promise<FeatureInfo | null> {
  const { container, layer, prefix } = containerOf(model, path);
  if (container.inputs.length !== 1) return null;
  let cut = layer;
  const passThrough: string[] = [];
  // The element-wise layers that follow the pruned layer inside its own (sub)model, as @prune/core's group path has them.
  for (const member of channelChain(model, path).chain) {
    if (layerSemantics(member.layer).role !== 'elementwise' || member.path !== (prefix ? `${prefix}/${member.layer.name}` : member.layer.name)) break;
    passThrough.push(member.layer.name);
    cut = member.layer;
  }
  const upstream = functionalModel({ inputs: container.inputs, outputs: cut.output as never });
  const shape = (upstream.outputs[0]?.shape ?? []).slice(1) as number[];
  const perImage = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * perImage);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const x = tensor4d(images.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS), [end - start, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const y = upstream.predict(x) as Tensor; // [b, h, w, C]
    out.set(await y.data(), start * perImage);
    dispose([x, y]);
  }
  await writeFileAtomic(join(dir, 'features.f32'), new Uint8Array(out.buffer));
  return {
    file: 'features.f32',
    dtype: 'float32',
    shape: [count, ...shape],
    layout: 'NHWC',
    cut: prefix ? `${prefix}/${cut.name}` : cut.name,
    passThrough,
    channelAxis: shape.length,
  };
}
