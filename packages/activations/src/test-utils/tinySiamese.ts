import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A small Siamese-shaped model for tests: a nested encoder model (conv1, relu1, pool1, conv2, relu2, flatten,
 * embedding) shared by inputs 'left' and 'right', then a head. Seeded initialisers make it deterministic.
 */
export function tinySiamese(options: { size?: number; filters?: number; seed?: number; dataFormat?: 'channelsLast' | 'channelsFirst' } = {}): tfl.LayersModel {
  const size = options.size ?? 8;
  const filters = options.filters ?? 4;
  const seed = options.seed ?? 1;
  const dataFormat = options.dataFormat ?? 'channelsLast';
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed * 100 + s });
  const bias = (s: number) => tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed * 100 + 50 + s });
  const shape = dataFormat === 'channelsLast' ? [size, size, 1] : [1, size, size];
  const x = tfl.input({ shape, name: 'image' });
  let h = tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', dataFormat, name: 'conv1', kernelInitializer: init(1), biasInitializer: bias(1) }).apply(x) as tfl.SymbolicTensor;
  h = tfl.layers.activation({ activation: 'relu', name: 'relu1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.maxPooling2d({ poolSize: 2, dataFormat, name: 'pool1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: filters * 2, kernelSize: 3, padding: 'same', dataFormat, name: 'conv2', kernelInitializer: init(2), biasInitializer: bias(2) }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.activation({ activation: 'relu', name: 'relu2' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten({ name: 'flatten' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: 6, name: 'embedding', kernelInitializer: init(3) }).apply(h) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: x, outputs: h, name: 'encoder' });
  const left = tfl.input({ shape, name: 'left' });
  const right = tfl.input({ shape, name: 'right' });
  const zl = encoder.apply(left) as tfl.SymbolicTensor;
  const zr = encoder.apply(right) as tfl.SymbolicTensor;
  const merged = tfl.layers.concatenate({ name: 'merge' }).apply([zl, zr]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_out', kernelInitializer: init(4) }).apply(merged) as tfl.SymbolicTensor;
  void tf; // tf-core is imported so the engine is the same instance the layers use
  return tfl.model({ inputs: [left, right], outputs: out, name: 'tiny_siamese' });
}

/** Seeded uniform images [n, size, size, 1] (or [n, 1, size, size]) in [-1, 1]. */
export function randomImages(n: number, size: number, seed: number, dataFormat: 'channelsLast' | 'channelsFirst' = 'channelsLast'): tf.Tensor4D {
  const shape: [number, number, number, number] = dataFormat === 'channelsLast' ? [n, size, size, 1] : [n, 1, size, size];
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}
