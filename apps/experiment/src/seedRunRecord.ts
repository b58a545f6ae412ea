import type { ChannelStats } from '@prune/activations';
import type { ControlsRecord, CriterionResult, SeedRun } from '@prune/report';
import type { StatisticsOutput } from './stages/statisticsStage.js';
import type { TrainOutput } from './stages/trainStage.js';

/** A seed's part of results.json, from the outputs of its stages. */
export function seedRunRecord(seed: number, modelPath: string, trained: TrainOutput, statistics: StatisticsOutput, criteria: CriterionResult[], controls: ControlsRecord | null): SeedRun {
  const { model, meta, reused } = trained;
  return {
    seed,
    model: { path: modelPath, cacheKey: meta.key, reused, parameters: model.countParams(), history: meta.history },
    test: statistics.evaluation,
    stats: statsRecord(statistics.stats),
    criteria,
    controls,
  };
}

function statsRecord(stats: ChannelStats): SeedRun['stats'] {
  return {
    layer: stats.layer,
    channels: stats.channels,
    images: stats.images,
    positions: stats.positions,
    mean: Array.from(stats.mean),
    meanAbs: Array.from(stats.meanAbs),
    apoz: Array.from(stats.apoz),
    variance: Array.from(stats.variance),
    std: Array.from(stats.std),
    min: Array.from(stats.min),
    max: Array.from(stats.max),
    meanMap: Array.from(stats.meanMap),
    mapShape: [...stats.mapShape] as [number, number, number],
  };
}
