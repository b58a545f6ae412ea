import { concat, split, tidy, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { conv2dWithoutInputGradient } from './conv2dWithoutInputGradient';

type AnyLayer = LayersModel['layers'][number];
type LayerNode = AnyLayer['inboundNodes'][number];

/**
 * Layer classes whose output for one example depends on that example alone, in training too (so the encoder may see
 * both halves of a pair batch at once). BatchNormalization is not one: in training it normalises by the batch.
 */
const PER_EXAMPLE_CLASSES = new Set([
  'InputLayer', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense', 'Activation', 'ReLU', 'LeakyReLU',
  'ELU', 'Softmax', 'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D', 'GlobalAveragePooling1D',
  'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'Flatten', 'Reshape', 'Permute',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Dropout', 'SpatialDropout1D', 'Add', 'Multiply', 'Concatenate',
]);

/** A shared encoder applied once to each of the model's two inputs: the applications to run as one. */
interface SharedEncoder {
  encoder: LayersModel;
  /** The encoder's application to model.inputs[0] and to model.inputs[1]. */
  nodes: [LayerNode, LayerNode];
}

const plans = new WeakMap<LayersModel, SharedEncoder | null>();

/** How {@link applySiamese} runs the model. */
export interface ApplySiameseOptions {
  /** Run dropout (and any training-only behaviour) as in training (default false). */
  training?: boolean;
  /**
   * Whether gradients with respect to the images can be taken (default true). With false, a linear Conv2D that
   * reads the images directly gets gradients for its kernel and bias only: tfjs's fused conv would compute the
   * images' gradient too and throw it away, a kernel costlier than the layer's forward pass. Training passes false.
   */
  inputGradients?: boolean;
}

/**
 * Runs a Siamese model on a pair batch as `model.apply([left, right], { training })` does, but with one pass of the
 * shared encoder over both images of every pair (a batch twice as large) instead of one pass per input: half the
 * kernel calls, and larger, faster ones. Used when both inputs go through the same nested model and every layer of
 * it treats examples independently; otherwise (BatchNormalization in the encoder, one encoder per input) it is
 * `model.apply` itself. `trainSiamese` and every training replica use it.
 *
 * @param model - a two-input Siamese model (`createSiameseModel`, loaded, or any model of that shape).
 * @param inputs - the left and right images of the pairs, [B, …] each.
 * @param options - `training` (default false) and `inputGradients` (default true): see {@link ApplySiameseOptions}.
 * @returns The model's output for the batch, as `model.apply` gives it.
 *
 * @example
 * ```ts
 * import { randomUniform, type Tensor } from '@tensorflow/tfjs-core';
 * import { applySiamese, createSiameseModel } from '@prune/siamese';
 *
 * const siamese = createSiameseModel();
 * const [left, right] = [randomUniform([8, 28, 28, 1]), randomUniform([8, 28, 28, 1])];
 * const p = applySiamese(siamese, [left, right], { training: true }) as Tensor; // [8, 1]
 * ```
 */
export function applySiamese(model: LayersModel, inputs: [Tensor, Tensor], options: ApplySiameseOptions = {}): Tensor | Tensor[] {
  const training = options.training ?? false;
  const plan = planOf(model);
  if (plan === null) return model.apply(inputs, { training }) as Tensor | Tensor[];
  return tidy(() => {
    const [left, right] = inputs;
    const images = concat([left, right], 0);
    const both = options.inputGradients === false ? applyToImages(plan.encoder, images, training) : (plan.encoder.apply(images, { training }) as Tensor);
    const [z1, z2] = split(both, [left.shape[0]!, right.shape[0]!], 0);
    const values = new Map<number, Tensor>([
      [model.inputs[0]!.id, left],
      [model.inputs[1]!.id, right],
      [plan.nodes[0].outputTensors[0]!.id, z1!],
      [plan.nodes[1].outputTensors[0]!.id, z2!],
    ]);
    const outputs = model.outputs.map((t) => valueOf(t, values, training));
    return outputs.length === 1 ? outputs[0]! : outputs;
  });
}

/** The encoder's output for a batch of images, whose own gradient is not needed (see `inputGradients`). */
function applyToImages(encoder: LayersModel, images: Tensor, training: boolean): Tensor {
  const input = encoder.inputs[0]!.id;
  return valueOf(encoder.outputs[0]!, new Map([[input, images]]), training, new Set([input]));
}

/**
 * Computes a symbolic tensor of a model from the values known so far, layer application by application. Layers
 * applied to one of `images` (tensors needing no gradient) go through `conv2dWithoutInputGradient` where it covers
 * them.
 */
function valueOf(t: SymbolicTensor, values: Map<number, Tensor>, training: boolean, images?: ReadonlySet<number>): Tensor {
  const known = values.get(t.id);
  if (known !== undefined) return known;
  const node = t.sourceLayer.inboundNodes[t.nodeIndex]!;
  const ins = node.inputTensors.map((i) => valueOf(i, values, training, images));
  const callArgs = (node as unknown as { callArgs?: Record<string, unknown> }).callArgs ?? {};
  const kwargs: Record<string, unknown> = { ...callArgs, training };
  delete kwargs['mask'];
  const onImages = ins.length === 1 && images?.has(node.inputTensors[0]!.id) ? conv2dWithoutInputGradient(t.sourceLayer, ins[0]!) : null;
  const out = onImages ?? (t.sourceLayer.apply(ins.length === 1 ? ins[0]! : ins, kwargs) as Tensor | Tensor[]);
  (Array.isArray(out) ? out : [out]).forEach((o, i) => values.set(node.outputTensors[i]!.id, o));
  return values.get(t.id)!;
}

function planOf(model: LayersModel): SharedEncoder | null {
  if (!plans.has(model)) plans.set(model, findSharedEncoder(model));
  return plans.get(model)!;
}

/** The nested model applied to exactly the two inputs, once each, if it has per-example layers only. */
function findSharedEncoder(model: LayersModel): SharedEncoder | null {
  if (model.inputs.length !== 2) return null;
  const [a, b] = model.inputs.map((t) => t.id);
  for (const layer of model.layers) {
    const nested = layer as unknown as LayersModel;
    if (!Array.isArray(nested.layers) || nested.inputs?.length !== 1 || nested.outputs?.length !== 1) continue;
    const uses = layer.inboundNodes.filter((n) => n.inputTensors.length === 1);
    const onA = uses.find((n) => n.inputTensors[0]!.id === a);
    const onB = uses.find((n) => n.inputTensors[0]!.id === b);
    if (!onA || !onB) continue;
    const perExample = nested.layers.every((l) => PER_EXAMPLE_CLASSES.has(l.getClassName()));
    return perExample ? { encoder: nested, nodes: [onA, onB] } : null;
  }
  return null;
}
