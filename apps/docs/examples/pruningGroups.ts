import * as tf from '@tensorflow/tfjs-core';
import {
  initializers,
  input,
  layers,
  model as functionalModel,
  type LayersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import {
  applyChannelMask,
  channelGroup,
  channelGroups,
  pruneChannels,
  type ChannelMask,
} from '@prune/core';

/**
 * A small block with what makes channels coupled: BatchNormalization, a depthwise
 * convolution, a squeeze-and-
 * excitation gate (pool → Dense → Dense sigmoid → Reshape → Multiply), a residual Add
 * and a Concatenate into a
 * classifier.
 */
export function residualBlock(seed = 1): LayersModel {
  let s = 0;
  const init = () => ({
    kernelInitializer: initializers.glorotUniform({ seed: seed * 100 + s++ }),
  });
  // BatchNormalization with statistics away from the defaults, as a trained model's
  // are: its shift matters.
  const bn = (name: string) =>
    layers.batchNormalization({
      name,
      betaInitializer: initializers.randomNormal({
        mean: 0,
        stddev: 0.5,
        seed: seed * 100 + s++,
      }),
      movingMeanInitializer: initializers.randomNormal({
        mean: 0,
        stddev: 0.5,
        seed: seed * 100 + s++,
      }),
      movingVarianceInitializer: initializers.randomUniform({
        minval: 0.5,
        maxval: 2,
        seed: seed * 100 + s++,
      }),
    });
  const apply = (
    layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown },
    x: SymbolicTensor | SymbolicTensor[],
  ) => layer.apply(x) as SymbolicTensor;
  const x = input({ shape: [8, 8, 3], name: 'image' });
  const stemConv = apply(
    layers.conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      name: 'stem',
      ...init(),
    }),
    x,
  );
  const stem = apply(
    layers.activation({ activation: 'relu', name: 'stem_relu' }),
    apply(bn('stem_bn'), stemConv),
  );
  const dw = apply(
    layers.depthwiseConv2d({
      kernelSize: 3,
      padding: 'same',
      name: 'dw',
      depthwiseInitializer: initializers.glorotUniform({ seed }),
    }),
    stem,
  );
  const branch = apply(
    bn('branch_bn'),
    apply(layers.conv2d({ filters: 8, kernelSize: 1, name: 'branch', ...init() }), dw),
  );
  const squeeze = apply(
    layers.dense({ units: 2, activation: 'relu', name: 'se_reduce', ...init() }),
    apply(layers.globalAveragePooling2d({ name: 'se_pool' }), branch),
  );
  const gate = apply(
    layers.reshape({ targetShape: [1, 1, 8], name: 'se_shape' }),
    apply(
      layers.dense({ units: 8, activation: 'sigmoid', name: 'se_expand', ...init() }),
      squeeze,
    ),
  );
  // [8, 8, 8]
  const excited = apply(layers.multiply({ name: 'se_scale' }), [branch, gate]);
  const sum = apply(
    layers.activation({ activation: 'relu', name: 'sum_relu' }),
    apply(layers.add({ name: 'sum' }), [stem, excited]),
  );
  const wide = apply(
    layers.conv2d({
      filters: 6,
      kernelSize: 1,
      activation: 'relu',
      name: 'wide',
      ...init(),
    }),
    sum,
  ); // [8, 8, 6]
  const joined = apply(layers.concatenate({ name: 'concat' }), [sum, wide]); // [8, 8, 14]
  const classes = apply(
    layers.dense({ units: 3, activation: 'softmax', name: 'classes', ...init() }),
    apply(layers.globalAveragePooling2d({ name: 'pool' }), joined),
  );
  return functionalModel({ inputs: x, outputs: classes, name: 'block' });
}

/** What the pruning groups of the block are, and two of them pruned in one rebuild. */
export async function pruneGroups(model: LayersModel, batch: tf.Tensor) {
  // Every group of the model, and the source layers that cannot be pruned, with the
  // reason.
  const { groups, refused } = channelGroups(model);
  for (const g of groups) {
    console.log(
      `${g.id}: ${g.channels} channels; ` +
        `sources ${g.sources.map((m) => m.path).join(', ')}; ` +
        `consumers ${g.consumers.map((m) => m.path).join(', ')}`,
    );
  }
  for (const r of refused) console.log(`refused ${r.layer}: ${r.reason}`);

  // Any source names its group: 'branch' is coupled to the SE gate's 'se_expand' by the
  // Multiply, and to 'stem' by the Add.
  const residual = channelGroup(model, 'branch');

  // One mask per group. Pruning channel c of the residual group removes it from stem,
  // branch and se_expand (their
  // filters and biases), from both BatchNormalizations and the depthwise kernel, and
  // from the inputs of branch,
  // se_reduce, wide and classes.
  const masks: ChannelMask[] = [
    { layer: 'branch', pruned: [1, 4] },
    // any ArrayLike: rankChannels' Int32Array works
    { layer: 'wide', pruned: Int32Array.from([0, 5]) },
  ];
  // same shapes, every entry surgery removes set to 0
  const masked = await applyChannelMask(model, masks);
  // smaller: 14 − 2 − 2 = 10 channels reach `classes`
  const pruned = await pruneChannels(model, masks);
  // The masked model is the pruned model: their outputs agree to float rounding.
  const difference = tf.tidy(
    () =>
      tf
        .max(
          tf.abs(
            tf.sub(
              masked.predict(batch) as tf.Tensor,
              pruned.predict(batch) as tf.Tensor,
            ),
          ),
        )
        .dataSync()[0]!,
  );
  masked.dispose();
  return { groups, refused, residual, pruned, difference };
}
