export {
  RESULTS_SCHEMA_VERSION,
  calibrationSchema,
  channelStatsSchema,
  controlsSchema,
  costRecordSchema,
  criterionResultSchema,
  criterionSummarySchema,
  epochRecordSchema,
  evaluationSchema,
  exportRecordSchema,
  fineTuneRecordSchema,
  intervalSchema,
  latencySettingsSchema,
  rankedOnSchema,
  referenceSchema,
  resultsSchema,
  seedRunSchema,
  viewerDataSchema,
} from './resultsSchema.js';
export type {
  CalibrationRecord,
  ChannelStatsRecord,
  ControlsRecord,
  CostRecord,
  CriterionResult,
  CriterionSummary,
  EpochRecord,
  EvaluationRecord,
  ExportRecord,
  FineTuneRecord,
  IntervalRecord,
  ReferenceRecord,
  Results,
  ResultsInput,
  SeedRun,
} from './resultsSchema.js';
export { SchemaValidationError, formatIssuePath, parseResults, parseWithSchema } from './parseResults.js';
export { curveLabel, summarizeSeeds } from './summarizeSeeds.js';
export type { SeedCurves } from './summarizeSeeds.js';
export { viewerDataIndexSchema } from './viewerDataIndexSchema.js';
export type { ViewerDataIndex } from './viewerDataIndexSchema.js';
export { accuracyRows, accuracyVsKSpec, controlRows } from './accuracyVsKSpec.js';
export type { AccuracyChartOptions, AccuracyRow, ControlRow } from './accuracyVsKSpec.js';
export { costSpec } from './costSpec.js';
export { tradeoffSpec } from './tradeoffSpec.js';
export type { TradeoffChartOptions } from './tradeoffSpec.js';
export { chooseHeadline, headlineK } from './headline.js';
export type { CostChange, Headline, HeadlineOptions } from './headline.js';
export type { CostChartOptions } from './costSpec.js';
export { featureMapPixels, featureMapsSpec } from './featureMapsSpec.js';
export type { FeatureMapPixel, FeatureMapsOptions, MeanMaps } from './featureMapsSpec.js';
export { compileToVega, renderSvg, toVegaSpec } from './renderSvg.js';
