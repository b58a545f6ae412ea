import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { trainBriefly } from './siamese';

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
});
