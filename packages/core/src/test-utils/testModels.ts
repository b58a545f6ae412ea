import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type ST = tfl.SymbolicTensor;
const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
const biasInit = (seed: number) => tfl.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed });

/**
 * A small model shaped like the lab's Siamese network: a nested encoder (conv1 relu1 pool1 conv2 relu2 pool2 flatten
 * dense1(relu) dropout embedding) applied to inputs 'left' and 'right', then z1, z2 and z1*z2 concatenated into a head.
 */
export function smallSiamese(options: { size?: number; filters?: number; seed?: number; conv2Activation?: string } = {}): tfl.LayersModel {
  const size = options.size ?? 12;
  const filters = options.filters ?? 6;
  const s = (options.seed ?? 1) * 100;
  const image = tfl.input({ shape: [size, size, 1], name: 'image' });
  let x = tfl.layers.conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(s + 1), biasInitializer: biasInit(s + 2) }).apply(image) as ST;
  x = tfl.layers.activation({ name: 'relu1', activation: 'relu' }).apply(x) as ST;
  x = tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as ST;
  x = tfl.layers
    .conv2d({ name: 'conv2', filters, kernelSize: 3, padding: 'same', activation: (options.conv2Activation ?? 'linear') as 'linear', kernelInitializer: init(s + 3), biasInitializer: biasInit(s + 4) })
    .apply(x) as ST;
  x = tfl.layers.activation({ name: 'relu2', activation: 'relu' }).apply(x) as ST;
  x = tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as ST;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as ST;
  x = tfl.layers.dense({ name: 'dense1', units: 16, activation: 'relu', kernelInitializer: init(s + 5), biasInitializer: biasInit(s + 6) }).apply(x) as ST;
  x = tfl.layers.dropout({ name: 'dropout', rate: 0.2 }).apply(x) as ST;
  const z = tfl.layers.dense({ name: 'embedding', units: 8, kernelInitializer: init(s + 7), biasInitializer: biasInit(s + 8) }).apply(x) as ST;
  const encoder = tfl.model({ inputs: image, outputs: z, name: 'encoder' });
  const left = tfl.input({ shape: [size, size, 1], name: 'left' });
  const right = tfl.input({ shape: [size, size, 1], name: 'right' });
  const z1 = encoder.apply(left) as ST;
  const z2 = encoder.apply(right) as ST;
  const prod = tfl.layers.multiply({ name: 'prod' }).apply([z1, z2]) as ST;
  const fused = tfl.layers.concatenate({ name: 'fusion' }).apply([z1, z2, prod]) as ST;
  const h = tfl.layers.dense({ name: 'head_dense', units: 8, activation: 'relu', kernelInitializer: init(s + 9), biasInitializer: biasInit(s + 10) }).apply(fused) as ST;
  const p = tfl.layers.dense({ name: 'head_out', units: 1, activation: 'sigmoid', kernelInitializer: init(s + 11), biasInitializer: biasInit(s + 12) }).apply(h) as ST;
  return tfl.model({ inputs: [left, right], outputs: p, name: 'small_siamese' });
}

/** A plain Sequential CNN classifier: conv (fused relu) → max-pool → conv → flatten → dense softmax. */
export function plainCnn(seed = 1): tfl.Sequential {
  const s = seed * 100;
  const m = tfl.sequential({ name: 'plain_cnn' });
  m.add(tfl.layers.conv2d({ name: 'c1', inputShape: [10, 10, 2], filters: 5, kernelSize: 3, activation: 'relu', kernelInitializer: init(s + 1), biasInitializer: biasInit(s + 2) }));
  m.add(tfl.layers.maxPooling2d({ name: 'p1', poolSize: 2 }));
  m.add(tfl.layers.conv2d({ name: 'c2', filters: 4, kernelSize: 2, padding: 'same', activation: 'tanh', kernelInitializer: init(s + 3), biasInitializer: biasInit(s + 4) }));
  m.add(tfl.layers.flatten({ name: 'flat' }));
  m.add(tfl.layers.dense({ name: 'out', units: 3, activation: 'softmax', kernelInitializer: init(s + 5), biasInitializer: biasInit(s + 6) }));
  return m;
}

/**
 * A residual block: stem conv → conv a → relu → conv b, added to the stem's output (b and stem coupled by the Add),
 * then pooled into a sigmoid.
 */
export function residualModel(seed = 1): tfl.LayersModel {
  const s = seed * 100;
  const x = tfl.input({ shape: [8, 8, 3], name: 'x' });
  const stem = tfl.layers.conv2d({ name: 'stem', filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: init(s + 7), biasInitializer: biasInit(s + 8) }).apply(x) as ST;
  const a = tfl.layers.conv2d({ name: 'a', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(s + 1), biasInitializer: biasInit(s + 2) }).apply(stem) as ST;
  const b = tfl.layers.conv2d({ name: 'b', filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: init(s + 3), biasInitializer: biasInit(s + 4) }).apply(a) as ST;
  const sum = tfl.layers.add({ name: 'add' }).apply([stem, b]) as ST;
  const g = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as ST;
  const out = tfl.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: init(s + 5), biasInitializer: biasInit(s + 6) }).apply(g) as ST;
  return tfl.model({ inputs: x, outputs: out, name: 'residual' });
}

/** Seeded normal images [n, ...shape]. */
export function randomInputs(n: number, shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal([n, ...shape], 0, 1, 'float32', seed);
}

/** Seeded 0/1 labels. */
export function randomLabels(n: number, seed: number): Float32Array {
  const t = tf.randomUniform([n], 0, 1, 'float32', seed);
  const v = Float32Array.from(t.dataSync(), (x) => (x < 0.5 ? 0 : 1));
  t.dispose();
  return v;
}
