import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '@prune/report';
import { checkMemory, memoryPlan } from './checkMemory.js';

describe('checkMemory', () => {
  const config = runConfigSchema.parse({});

  it('counts the pair tensors (two inputs, float32, in JS and in the backend) and the kept predictions', () => {
    // 2000 test pairs: 2 inputs × 2 copies × 2000 × 784 × 4 bytes; predictions: 1 criterion × 32 K × 2000 × 4 bytes.
    expect(memoryPlan(config, 32).map((i) => i.bytes)).toEqual([25_088_000, 256_000]);
    const train = memoryPlan({ ...config, calibration: 'train', calibrationPairs: 1000 }, 32);
    expect(train[2]).toEqual({ flag: '--calibration-pairs 1000', what: 'the calibration pair tensors', bytes: 12_544_000 });
  });

  it('lets the reference run through and refuses pairs beyond 80% of the memory, naming the flag', () => {
    expect(() => checkMemory(config, 32, 1e9)).not.toThrow();
    expect(() => checkMemory({ ...config, testPairs: 100_000 }, 32, 1e9)).toThrow(
      '--test-pairs 100000: the run would hold 1.27 GB at once (the test pair tensors 1.25 GB, the sweep\'s predictions (1 criterion × 32 K) 0.01 GB), more than the 0.80 GB it may use (80% of 1.00 GB); ask for fewer pairs',
    );
  });
});
