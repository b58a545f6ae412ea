import { initializers, input, layers, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { registerSiameseFusion, SiameseFusion } from './siameseFusion';
import { releaseSharedSubmodels } from './releaseSharedSubmodels';
import { seedStream } from './seeds';

/** Hyperparameters of the Siamese network; every default is the lab's. */
export interface SiameseConfig {
  /** Seed of the weight initialisers (default 42). */
  seed?: number;
  /** Output channels of conv1 (default 16). */
  conv1Filters?: number;
  /** Output channels of conv2, the layer the lab prunes (default 32). */
  conv2Filters?: number;
  /** Units of dense1 (default 128). */
  hiddenUnits?: number;
  /** Units of the embedding z (default 64). */
  embeddingUnits?: number;
  /** Dropout rate after dense1 (default 0.2). */
  dropout?: number;
  /** Units of head_dense (default 32). */
  headUnits?: number;
}

/** The lab's hyperparameters, as used when a {@link SiameseConfig} field is omitted. */
export const DEFAULT_SIAMESE_CONFIG: Readonly<Required<SiameseConfig>> = Object.freeze({
  seed: 42,
  conv1Filters: 16,
  conv2Filters: 32,
  hiddenUnits: 128,
  embeddingUnits: 64,
  dropout: 0.2,
  headUnits: 32,
});

/** MNIST image side; the encoder's input is [B, 28, 28, 1]. */
const SIDE = 28;

/**
 * Builds the lab's Siamese MNIST network as a tfjs-layers model with inputs 'left' and 'right' ([B, 28, 28, 1] each)
 * and one output, the probability p ([B, 1]) that both images show the same digit.
 *
 * Both inputs go through one shared encoder, a nested model named 'encoder'. Weights start as PyTorch's defaults
 * (uniform ±1/√fan_in for kernels and biases), drawn from seeds derived from `config.seed`.
 *
 * @param config - `seed` and layer widths (defaults: the lab's network, seed 42).
 *
 * @example
 * ```ts
 * import { createSiameseModel } from '@prune/siamese';
 *
 * const siamese = createSiameseModel({ seed: 1 });
 * console.log(siamese.inputs.length, siamese.countParams()); // 2 inputs, 218049 parameters
 * ```
 */
export function createSiameseModel(config: SiameseConfig = {}): LayersModel {
  const c = resolveConfig(config);
  registerSiameseFusion();
  const nextSeed = seedStream(c.seed);
  // PyTorch's default init for Conv2d and Linear: kaiming_uniform(a=√5) = U(±1/√fan_in) for the kernel, same for the bias.
  const init = (fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    return {
      kernelInitializer: initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: nextSeed() }),
      biasInitializer: initializers.randomUniform({ minval: -bound, maxval: bound, seed: nextSeed() }),
    };
  };

  const image = input({ shape: [SIDE, SIDE, 1], name: 'image' });
  let x = layers
    .conv2d({ name: 'conv1', filters: c.conv1Filters, kernelSize: 3, padding: 'same', activation: 'linear', ...init(9) })
    .apply(image) as SymbolicTensor; // [B, 28, 28, 16]
  x = layers.activation({ name: 'relu1', activation: 'relu' }).apply(x) as SymbolicTensor;
  x = layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }).apply(x) as SymbolicTensor; // [B, 14, 14, 16]
  // Linear conv with a separate ReLU: the lab's statistics are taken on conv2's output before the activation.
  x = layers
    .conv2d({ name: 'conv2', filters: c.conv2Filters, kernelSize: 3, padding: 'same', activation: 'linear', ...init(9 * c.conv1Filters) })
    .apply(x) as SymbolicTensor; // [B, 14, 14, 32]
  x = layers.activation({ name: 'relu2', activation: 'relu' }).apply(x) as SymbolicTensor;
  x = layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }).apply(x) as SymbolicTensor; // [B, 7, 7, 32]
  x = layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor; // [B, 1568]
  const flat = (SIDE / 4) * (SIDE / 4) * c.conv2Filters;
  x = layers.dense({ name: 'dense1', units: c.hiddenUnits, activation: 'relu', ...init(flat) }).apply(x) as SymbolicTensor; // [B, 128]
  // No seed on the layer itself: a fixed tfjs dropout seed repeats one mask at every call; trainSiamese seeds each call.
  x = layers.dropout({ name: 'dropout', rate: c.dropout }).apply(x) as SymbolicTensor;
  const z = layers.dense({ name: 'embedding', units: c.embeddingUnits, ...init(c.hiddenUnits) }).apply(x) as SymbolicTensor; // [B, 64]
  const encoder = model({ inputs: image, outputs: z, name: 'encoder' });

  const left = input({ shape: [SIDE, SIDE, 1], name: 'left' });
  const right = input({ shape: [SIDE, SIDE, 1], name: 'right' });
  const z1 = encoder.apply(left) as SymbolicTensor;
  const z2 = encoder.apply(right) as SymbolicTensor;
  let h = new SiameseFusion({ name: 'fusion' }).apply([z1, z2]) as SymbolicTensor; // [B, 128]
  h = layers.dense({ name: 'head_dense', units: c.headUnits, activation: 'relu', ...init(2 * c.embeddingUnits) }).apply(h) as SymbolicTensor;
  const p = layers.dense({ name: 'head_out', units: 1, activation: 'sigmoid', ...init(c.headUnits) }).apply(h) as SymbolicTensor; // [B, 1]
  const siamese = model({ inputs: [left, right], outputs: p, name: 'siamese' });
  releaseSharedSubmodels(siamese);
  return siamese;
}


function resolveConfig(config: SiameseConfig): Required<SiameseConfig> {
  const c = { ...DEFAULT_SIAMESE_CONFIG, ...stripUndefined(config) };
  for (const key of ['conv1Filters', 'conv2Filters', 'hiddenUnits', 'embeddingUnits', 'headUnits'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new Error(`SiameseConfig.${key} must be a positive integer, got ${c[key]}`);
  }
  if (!Number.isInteger(c.seed)) throw new Error(`SiameseConfig.seed must be an integer, got ${c.seed}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`SiameseConfig.dropout must be in [0, 1), got ${c.dropout}`);
  return c;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
