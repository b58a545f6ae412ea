import type { RunConfig } from '../runConfigSchema.js';
import { buildSeedData, loadConfiguredMnist, type SeedData } from '../buildSeedData.js';
import { calibrationNote } from '../calibrationNote.js';
import type { StageContext } from './stageContext.js';

export interface DataInput {
  config: RunConfig;
  seeds: readonly number[];
}

export interface DataOutput {
  /** The pairs of each seed, in the order of `seeds`. */
  seedData: SeedData[];
}

/** Stage 1: MNIST from the configured source, then the subsets and pairs of every seed. */
export async function dataStage({ config, seeds }: DataInput, { progress }: StageContext): Promise<DataOutput> {
  const task = progress.task('load data', 1 + seeds.length, 'steps');
  const mnist = await loadConfiguredMnist(config);
  task.update(1, `MNIST ${mnist.train.count} + ${mnist.test.count} images`);
  const seedData: SeedData[] = [];
  for (const seed of seeds) {
    seedData.push(buildSeedData(mnist, config, seed));
    task.update(seedData.length + 1, `pairs of seed ${seed}`);
  }
  const first = seedData[0] as SeedData;
  task.stop(`${first.train.split.count} train / ${first.test.split.count} test images, ${first.train.count} / ${first.test.count} pairs per seed`);
  progress.log(`note: ${calibrationNote(config.calibration)}`);
  return { seedData };
}
