export { DEFAULT_SEED, runConfigSchema } from './runConfigSchema.js';
export type { RunConfig, RunConfigInput } from './runConfigSchema.js';
export {
  RESULTS_SCHEMA_VERSION,
  calibrationSchema,
  channelStatsSchema,
  costRecordSchema,
  criterionResultSchema,
  criterionSummarySchema,
  epochRecordSchema,
  evaluationSchema,
  exportRecordSchema,
  fineTuneRecordSchema,
  resultsSchema,
  seedRunSchema,
  viewerDataSchema,
} from './resultsSchema.js';
export type {
  CalibrationRecord,
  ChannelStatsRecord,
  CostRecord,
  CriterionResult,
  CriterionSummary,
  EpochRecord,
  EvaluationRecord,
  ExportRecord,
  FineTuneRecord,
  Results,
  ResultsInput,
  SeedRun,
} from './resultsSchema.js';
export { SchemaValidationError, formatIssuePath, formatIssues, parseResults, parseWithSchema } from './parseResults.js';
export { summarizeSeeds } from './summarizeSeeds.js';
export { CHART_FONT, chartConfig, kAxisValues } from './chartTheme.js';
export { REFERENCE_ACCURACY, accuracyRows, accuracyVsKSpec, labReference } from './accuracyVsKSpec.js';
export type { AccuracyChartOptions, AccuracyRow } from './accuracyVsKSpec.js';
export { costSpec } from './costSpec.js';
export type { CostChartOptions } from './costSpec.js';
export { featureMapPixels, featureMapsSpec } from './featureMapsSpec.js';
export type { FeatureMapPixel, FeatureMapsOptions, MeanMaps } from './featureMapsSpec.js';
export { compileToVega, renderSvg, toVegaSpec } from './renderSvg.js';
