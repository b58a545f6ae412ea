import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import { channelGroup, maskWeakest, pruneChannels } from '@prune/core';
import type { RunConfig } from './runConfigSchema.js';
import { createSiameseModel } from '@prune/siamese';
import { ConfigError } from '@prune/cli/process';

/** What the plan check learned of the pruned layer. */
export interface PlannedLayer {
  /** Canonical path, e.g. `encoder/conv2`. */
  path: string;
  channels: number;
}

/**
 * Checks, on an untrained model before any data is loaded or anything written, what the run will ask of
 * surgery: the layer heads a prunable group, every export K is below its channel count, and the model is pruned
 * without error at each export K and at K = C-1 (the costs stage prunes every K up to it).
 */
export async function checkPlan(config: Pick<RunConfig, 'layer' | 'exportK'>): Promise<PlannedLayer> {
  const probe = createSiameseModel();
  try {
    let path: string;
    let channels: number;
    try {
      channels = channelGroup(probe, config.layer).channels;
      path = resolveLayerEntry(probe, config.layer).path;
    } catch (error) {
      throw new ConfigError(`--layer ${config.layer}: ${(error as Error).message}`);
    }
    const tooLarge = config.exportK.filter((k) => k >= channels);
    if (tooLarge.length > 0) {
      throw new ConfigError(`--export-k ${config.exportK.join(',')}: K = ${tooLarge.join(', ')} is not below the ${channels} channels of ${path}; export K must be 1 … ${channels - 1}`);
    }
    const order = Array.from({ length: channels }, (_, c) => c);
    for (const k of new Set([...config.exportK, channels - 1])) await dryRun(probe, path, order, k, config.exportK.includes(k) ? `--export-k ${k}` : `--layer ${config.layer}`);
    return { path, channels };
  } finally {
    probe.dispose();
  }
}

async function dryRun(probe: LayersModel, path: string, order: number[], k: number, flag: string): Promise<void> {
  try {
    const pruned = await pruneChannels(probe, maskWeakest(path, order, k));
    pruned.dispose();
  } catch (error) {
    throw new ConfigError(`${flag}: removing ${k} channels of ${path} fails in surgery: ${(error as Error).message}`);
  }
}
