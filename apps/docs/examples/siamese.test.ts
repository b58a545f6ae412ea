import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { pairBatches, makePairs, subsetSplit, type PairBatch } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel } from '@prune/siamese';
import { trainBriefly } from './siamese';
import { lossAndGradients } from './siameseGradients';

describe('siamese guide example', () => {
  it('trainBriefly: the lab network trains one epoch, evaluates, and round-trips through a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-docs-siamese-'));
    const tensors = tf.memory().numTensors;
    try {
      const { parameters, history, evaluation, test, before, after } =
        await trainBriefly(dir, 480, 1);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(parameters).toBe(218_049); // the PyTorch original's count
      expect(history.epochs).toHaveLength(1);
      expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
      expect(after).toEqual(before); // the loaded model predicts exactly the same
      // The reported accuracy is the share of pairs on the right side of p = 0.5.
      expect(evaluation.count).toBe(200);
      const correct = before.filter(
        (p, i) => (p >= 0.5 ? 1 : 0) === test.labels[i],
      ).length;
      expect(evaluation.accuracy).toBe(correct / 200);
      // 480 pairs, one epoch: already above chance
      expect(evaluation.accuracy).toBeGreaterThan(0.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lossAndGradients: the same loss and gradients without the images\' gradient as with it', async () => {
    const mnist = await loadMnist();
    const pairs = makePairs(subsetSplit(mnist.test, 0.1, 3), 32, 3);
    const batch = pairBatches(pairs, { batchSize: 32, shuffle: false }).next().value as PairBatch;
    const labels = tf.reshape(batch.labels, [-1, 1]);
    const model = createSiameseModel({ seed: 3, dropout: 0 });
    const tensors = tf.memory().numTensors;
    const fast = lossAndGradients(model, [batch.left, batch.right], labels);
    const stock = lossAndGradients(model, [batch.left, batch.right], labels, true);
    expect(Object.keys(fast.grads)).toHaveLength(12); // kernel and bias of 6 layers
    expect(fast.value.dataSync()[0]).toBe(stock.value.dataSync()[0]);
    for (const [name, g] of Object.entries(fast.grads)) {
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(g, stock.grads[name]!))).dataSync()[0])).toBe(0);
    }
    tf.dispose([fast.value, stock.value, ...Object.values(fast.grads), ...Object.values(stock.grads)]);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([labels, batch.left, batch.right, batch.labels]);
    model.dispose();
  });
});
