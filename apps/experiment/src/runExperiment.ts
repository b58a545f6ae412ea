import { relative } from 'node:path';
import { selectBackend } from '@prune/backend';
import type { CostRecord, ExportRecord, Results, SeedRun } from '@prune/report';
import type { RunConfig } from './runConfigSchema.js';
import { registerSiameseFusion } from '@prune/siamese';
import type { SeedData } from './buildSeedData.js';
import { checkDiskSpace } from './checkDiskSpace.js';
import { checkMemory } from './checkMemory.js';
import { checkPlan } from './checkPlan.js';
import { criterionByName } from './criterionByName.js';
import { labTable } from './labTable.js';
import { pairTensors } from './pairTensors.js';
import { openRunFolder } from './runFolder.js';
import { seedRunRecord } from './seedRunRecord.js';
import { controlsStage } from './stages/controlsStage.js';
import { costsStage } from './stages/costsStage.js';
import { dataStage } from './stages/dataStage.js';
import { exportStage } from './stages/exportStage.js';
import { rankStage } from './stages/rankStage.js';
import { reportStage } from './stages/reportStage.js';
import { checkAbort, seedTag, type StageContext } from './stages/stageContext.js';
import { createStageTimer } from './stages/stageTimer.js';
import { statisticsStage } from './stages/statisticsStage.js';
import { sweepStage } from './stages/sweepStage.js';
import { trainStage } from './stages/trainStage.js';

export { TEST_CALIBRATION_NOTE, TRAIN_CALIBRATION_NOTE } from './calibrationNote.js';

/** Where the experiment writes and how it reports. */
export interface RunContext extends StageContext {
  /** Receives the results table (stdout). */
  print: (line: string) => void;
}

/** What a finished run returns. */
export interface RunOutcome {
  runDir: string;
  results: Results;
}

/**
 * Runs the whole experiment for a validated config and writes the run folder (README.md describes it): the stages
 * data → train → statistics → rank → sweep → controls → export → costs → report, the middle ones once per seed.
 */
export async function runExperiment(config: RunConfig, ctx: RunContext): Promise<RunOutcome> {
  const { progress, signal } = ctx;
  const timer = createStageTimer();
  const createdAt = new Date();
  const seeds = config.seeds ?? [config.seed];
  for (const name of config.criteria) criterionByName(name, 0); // unknown names fail before any work

  // The backend is chosen before anything creates a tensor; its time counts as training's.
  const backend = await timer.stage('train', () => selectBackend(config.backend, { loadTfjsNode: () => import('@tensorflow/tfjs-node'), threads: config.threads ?? undefined }));
  progress.log(`backend: ${backend.backend} (${backend.reason})`);
  registerSiameseFusion();
  // Everything that can fail on the configuration fails here, before anything is written: the layer and the
  // surgery at every K the run prunes, the memory of the pair tensors, the subsets and pairs the data can give.
  const planned = await checkPlan(config);
  checkMemory(config, planned.channels);
  checkDiskSpace(config);
  const { seedData } = await timer.stage('data', () => dataStage({ config, seeds }, ctx));
  const folder = await openRunFolder(config, createdAt, progress.log);
  const seedRuns: SeedRun[] = [];
  const exports: ExportRecord[] = [];
  let costs: CostRecord[] = [];
  let viewerIndex: string | null = null;
  let layer = { name: config.layer, channels: 0 };
  for (const [s, seed] of seeds.entries()) {
    checkAbort(signal);
    const data = seedData[s] as SeedData;
    const tag = seedTag(seed, s, seeds.length);
    const trained = await timer.stage('train', () => trainStage({ config, seed, data, cacheDir: folder.cacheDir, backend, tag }, ctx));
    const { model } = trained;
    const test = pairTensors(data.test);
    const calibration = data.heldOut ? pairTensors(data.calibration) : test;
    try {
      const statistics = await timer.stage('statistics', () => statisticsStage({ model, layer: config.layer, data, calibration, tag }, ctx));
      const { layerPath, stats } = statistics;
      layer = { name: layerPath, channels: stats.channels };
      checkAbort(signal);
      const rankings = await timer.stage('rank', () => rankStage({ model, layerPath, criteria: config.criteria, seed, stats, calibration }, ctx));
      const swept = await timer.stage('sweep', () => sweepStage({ model, layerPath, rankings, test, rankedOn: config.calibration, tag }, ctx));
      const other = data.otherCalibration ? pairTensors(data.otherCalibration) : null;
      const { comparisons, controls } = await timer
        .stage('controls', () => controlsStage({ config, model, layerPath, seed, criteria: swept, stats, test, calibration, other, tag }, ctx))
        .finally(() => other?.dispose());
      const exported = await timer.stage('export', () => exportStage({ config, runDir: folder.runDir, seed, seedIndex: s, model, layerPath, criteria: swept, data, tag }, ctx));
      exports.push(...exported.exports);
      viewerIndex ??= exported.viewerIndex;
      if (s === 0) costs = await timer.stage('costs', () => costsStage({ model, layerPath, order: swept[0]?.order ?? [], accuracy: swept[0]?.accuracy ?? [], test }, ctx));
      seedRuns.push(seedRunRecord(seed, exported.modelPath, trained, statistics, [...exported.criteria, ...comparisons], controls));
    } finally {
      if (calibration !== test) calibration.dispose();
      test.dispose();
      model.dispose();
    }
  }

  const report = await timer.stage('report', () =>
    reportStage({ config, seeds, folder, createdAt, backend, data: seedData[0] as SeedData, layer, seedRuns, costs, exports, viewerIndex, timings: timer.timings }, ctx),
  );
  const { results, files } = report;
  progress.close();
  const printed = results.summary.filter((s) => s.role === 'criterion');
  for (const summary of printed) {
    if (printed.length > 1 || seeds.length > 1) {
      ctx.print(`# criterion ${summary.criterion}${seeds.length > 1 ? `, mean over ${seeds.length} seeds` : ''}`);
    }
    ctx.print(labTable(summary.mean));
  }
  progress.log(`run folder: ${relative(process.cwd(), folder.finalDir) || folder.finalDir} (${files.length + 4} files, model/, viewer-data/)`);
  progress.log(`time: ${Object.entries(results.timings).map(([k, v]) => `${k} ${v.toFixed(1)}s`).join(', ')}`);
  return { runDir: folder.finalDir, results };
}
