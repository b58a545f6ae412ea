import * as tfl from '@tensorflow/tfjs-layers';
import { seedStream } from './seedStream';

type Conv2DArgs = Parameters<typeof tfl.layers.conv2d>[0];
type Conv1DArgs = Parameters<typeof tfl.layers.conv1d>[0];
type DenseArgs = Parameters<typeof tfl.layers.dense>[0];
type DepthwiseArgs = Parameters<typeof tfl.layers.depthwiseConv2d>[0];
type SeparableArgs = Parameters<typeof tfl.layers.separableConv2d>[0];

/** Layer factories whose initialisers draw their seeds, in call order, from one seed. */
export interface SeededLayers {
  /** Conv2D with a glorot-uniform kernel and (unless `useBias: false`) a uniform ±0.2 bias, 'same' padding. */
  conv2d(args: Conv2DArgs & { name: string }): tfl.layers.Layer;
  /** Conv1D, seeded like {@link SeededLayers.conv2d}. */
  conv1d(args: Conv1DArgs & { name: string }): tfl.layers.Layer;
  /** Dense, seeded like {@link SeededLayers.conv2d}. */
  dense(args: DenseArgs & { name: string }): tfl.layers.Layer;
  /** DepthwiseConv2D, seeded, 'same' padding. */
  depthwiseConv2d(args: DepthwiseArgs & { name: string }): tfl.layers.Layer;
  /** SeparableConv2D with seeded depthwise and pointwise kernels, 'same' padding. */
  separableConv2d(args: SeparableArgs & { name: string }): tfl.layers.Layer;
}

/** Seeded layer factories for one model build; see {@link seedBatchNorms} for BatchNormalization weights. */
export function seededLayers(seed: number): SeededLayers {
  const next = seedStream(seed);
  const kernel = () => tfl.initializers.glorotUniform({ seed: next() });
  const bias = () => tfl.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: next() });
  return {
    conv2d: (args) => tfl.layers.conv2d({ padding: 'same', kernelInitializer: kernel(), biasInitializer: bias(), ...args }),
    conv1d: (args) => tfl.layers.conv1d({ padding: 'same', kernelInitializer: kernel(), biasInitializer: bias(), ...args }),
    dense: (args) => tfl.layers.dense({ kernelInitializer: kernel(), biasInitializer: bias(), ...args }),
    depthwiseConv2d: (args) =>
      tfl.layers.depthwiseConv2d({ padding: 'same', depthwiseInitializer: kernel(), biasInitializer: bias(), ...args }),
    separableConv2d: (args) =>
      tfl.layers.separableConv2d({
        padding: 'same',
        depthwiseInitializer: kernel(),
        pointwiseInitializer: kernel(),
        biasInitializer: bias(),
        ...args,
      }),
  };
}

/** Applies a layer to one symbolic tensor (or a list, for merges). */
export function on(layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]): tfl.SymbolicTensor {
  return layer.apply(x) as tfl.SymbolicTensor;
}
