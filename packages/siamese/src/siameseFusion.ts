import { abs, concat, mul, serialization, sub, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/**
 * The Siamese fusion layer: from the two embeddings z1, z2 ([B, D] each) it returns concat(|z1 − z2|, z1 ⊙ z2), [B, 2D].
 * Call {@link registerSiameseFusion} before deserialising a model that contains it.
 */
export class SiameseFusion extends layers.Layer {
  /** The class name under which the layer is serialised. */
  static className = 'SiameseFusion';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [a] = checkInputShapes(inputShape, this.name);
    const last = a[a.length - 1];
    return [...a.slice(0, -1), last == null ? null : 2 * last];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error(`SiameseFusion '${this.name}': expected 2 inputs [z1, z2], got ${Array.isArray(inputs) ? inputs.length : 1}`);
      }
      const [z1, z2] = inputs as [Tensor, Tensor]; // [B, D] each
      return concat([abs(sub(z1, z2)), mul(z1, z2)], -1); // [B, 2D]
    });
  }
}

function checkInputShapes(inputShape: Shape | Shape[], name: string): [Shape, Shape] {
  const shapes = inputShape as Shape[];
  if (!Array.isArray(shapes[0]) || shapes.length !== 2) {
    throw new Error(`SiameseFusion '${name}': expected 2 input shapes, got ${JSON.stringify(inputShape)}`);
  }
  const [a, b] = shapes as [Shape, Shape];
  if (a.length !== b.length || a.some((d, i) => d != null && b[i] != null && d !== b[i])) {
    throw new Error(`SiameseFusion '${name}': the two embeddings differ in shape: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  return [a, b];
}

let registered = false;

/**
 * Registers {@link SiameseFusion} for tfjs serialisation (idempotent; called by the factory and the loaders).
 *
 *
 * @example
 * ```ts
 * import { loadLayersModel } from '@tensorflow/tfjs-layers';
 * import { registerSiameseFusion } from '@prune/siamese';
 *
 * // Before loading a saved Siamese model with tfjs's own loader:
 * registerSiameseFusion();
 * const siamese = await loadLayersModel('/models/siamese/model.json');
 * ```
 */
export function registerSiameseFusion(): void {
  if (registered) return;
  serialization.registerClass(SiameseFusion);
  registered = true;
}
