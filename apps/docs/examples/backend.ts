import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers imports it too; tfjs-core alone does not
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { selectBackend, type BackendChoice } from '@prune/backend';

/**
 * d(loss)/d(filter) of a small convolution: it needs Conv2DBackpropFilter, which stock
 * wasm lacks.
 */
export async function convFilterGradient(): Promise<Float32Array> {
  const gradient = tf.tidy(() => {
    // [batch, h, w, in]
    const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 1);
    // [kh, kw, in, out]
    const filter = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4], 0, 1, 'float32', 2);
    const loss = (f: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 1, 'same')));
    return tf.grad(loss)(filter); // [3, 3, 3, 4]
  });
  const values = (await gradient.data()) as Float32Array;
  gradient.dispose();
  return values;
}

/**
 * An app's first step: pick the tfjs backend (tfjs-node if its native addon loads, else
 * wasm completed for
 * training, else cpu) and say which and why. On wasm, @prune/backend has registered the
 * training kernels.
 */
export async function chooseBackend(choice: BackendChoice = 'auto') {
  const { backend, reason } = await selectBackend(choice);
  console.log(`tfjs backend: ${backend} (${reason})`);
  const gradient = await convFilterGradient(); // trains a CNN on any of them
  return { backend, reason, activeBackend: tf.getBackend(), gradient };
}
