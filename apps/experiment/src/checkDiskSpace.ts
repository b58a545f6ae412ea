import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunConfig } from './runConfigSchema.js';

/** Bytes of one saved Siamese model (model.json and 218k float32 weights, rounded up). */
const MODEL_BYTES = 1e6;
/** The run folder without its models: figures, CSVs, results.json and the copied viewer (measured at 14 MB). */
const RUN_BASE_BYTES = 16e6;

/** A generous estimate of what a run writes: its folder (models, viewer data, viewer copy) and its cache entries. */
export function diskEstimate(config: Pick<RunConfig, 'seeds' | 'seed' | 'criteria' | 'exportK' | 'fineTuneEpochs' | 'testFraction'>): number {
  const seeds = (config.seeds ?? [config.seed]).length;
  const pruned = config.criteria.length * config.exportK.length * (config.fineTuneEpochs > 0 ? 2 : 1);
  const testImages = Math.ceil(10000 * config.testFraction);
  const viewerData = testImages * (784 + 7 * 7 * 32 * 4) * 2; // pixels and features (conv2's cut, the largest)
  return RUN_BASE_BYTES + (2 * seeds + pruned) * MODEL_BYTES + viewerData;
}

/** Refuses a run whose out-dir's disk has less free space than {@link diskEstimate}, naming --out-dir. */
export function checkDiskSpace(config: Parameters<typeof diskEstimate>[0] & Pick<RunConfig, 'outDir'>): void {
  let dir = config.outDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  let free: number;
  try {
    const fs = statfsSync(dir);
    free = fs.bavail * fs.bsize;
  } catch {
    return; // no statfs here: the writes themselves will say what failed
  }
  const needed = diskEstimate(config);
  if (free < needed) {
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    throw new Error(`--out-dir ${config.outDir}: the run writes about ${mb(needed)}, but its disk has ${mb(free)} free; free some space or choose another --out-dir`);
  }
}
