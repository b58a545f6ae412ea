/**
 * `@prune/core`: channel pruning for any tfjs-layers model, in Node and in the browser. Saving and loading
 * files is `@prune/core/node`.
 *
 * @packageDocumentation
 */
// graph and layer semantics
export { channelGroup, channelGroups } from './graph/channelGroups';
export type { ChannelGroup, GroupApplication, GroupMember, ModelGroups, RefusedLayer } from './graph/channelGroups';
export { mapChannelIndices } from './graph/channelIndexMap';
export type { ChannelIndexMap } from './graph/channelIndexMap';
export { layerSemantics, KNOWN_LAYER_CLASSES, supportedLayers } from './graph/layerTable';
export type { ApplicationShapes, ChannelRole, LayerCost, LayerSemantics, SupportedLayer, ValueSemantics, WeightAxis } from './graph/layerTable';
export type { FlatGraph, GraphOp } from './graph/flatGraph';
export { releaseSharedLayers } from './graph/modelTree';
// criteria
export { scoreChannels } from './criteria/importance';
export type { ImportanceCriterion, ImportanceContext, ImportanceRequirement, ScoringContext } from './criteria/importance';
export { rankChannels } from './criteria/rankChannels';
export { meanActivationImportance, meanAbsActivationImportance, apozImportance } from './criteria/activationCriteria';
export { l1NormImportance, l2NormImportance } from './criteria/filterNormCriteria';
export { randomImportance } from './criteria/randomImportance';
export { taylorImportance, defaultLoss } from './criteria/taylorImportance';
export type { TaylorOptions, LossFunction } from './criteria/taylorImportance';
export { ablationImportance } from './criteria/ablationImportance';
export type { AblationOptions } from './criteria/ablationImportance';
export { criterionByName, CRITERION_NAMES, isCriterionName } from './criteria/criterionByName';
export { precomputedImportance } from './criteria/precomputedImportance';
export type { CriterionName } from './criteria/criterionByName';
// masks
export { maskWeakest, maskChannels } from './masks/channelMask';
export type { ChannelMask, CheckedChannelMask } from './masks/channelMask';
export { applyChannelMask } from './masks/applyChannelMask';
// surgery
export { pruneChannels } from './surgery/pruneChannels';
export { planSurgery } from './surgery/planSurgery';
export type { ConfigChange, LayerSurgery, SurgeryOptions, SurgeryPlan, WeightCut } from './surgery/planSurgery';
export type { GroupMask } from './masks/groupMasks';
export { cloneModel } from './surgery/cloneModel';
// sweep and evaluation
export type { EvalData } from './evaluation/evalData';
export { binaryAccuracy, categoricalAccuracy, defaultMetric } from './evaluation/metrics';
export type { Metric } from './evaluation/metrics';
export { naiveSweep } from './evaluation/naiveSweep';
export { evaluateModel } from './evaluation/evaluateModel';
export type { SweepOptions, SweepProgress, SweepPoint, SweepResult, SweepPath } from './evaluation/sweepTypes';
export { sweepChannels } from './evaluation/sweepChannels';
export type { FastSweepOptions } from './evaluation/sweepChannels';
export { evaluatePrunedSets } from './evaluation/evaluatePrunedSets';
export type { PrunedSetsResult } from './evaluation/evaluatePrunedSets';
export { createMaskEvaluator } from './evaluation/createMaskEvaluator';
export type { MaskEvaluation, MaskEvaluator, MaskEvaluatorData, MaskEvaluatorOptions, PrecomputedFeatures } from './evaluation/createMaskEvaluator';
export { sweepOrders } from './evaluation/sweepOrders';
export { greedyOracle } from './evaluation/greedyOracle';
export type { GreedyOracleOptions, GreedyOracleResult } from './evaluation/greedyOracle';
export { fractionalRanks, spearmanCorrelation } from './evaluation/rankCorrelation';
export { accuracyIntervals, wilsonInterval } from './evaluation/binomialInterval';
export type { ProportionInterval } from './evaluation/binomialInterval';
// costs
export { countParams } from './costs/countParams';
export type { LayerParams, ParamCount } from './costs/countParams';
export { countMacs } from './costs/countMacs';
export type { LayerMacs, MacCount } from './costs/countMacs';
export { measureLatency } from './costs/measureLatency';
export type { LatencyOptions, LatencyStats } from './costs/measureLatency';
// whole-model pruning
export { pruneModel } from './pruner/pruneModel';
export type { PruneModelResult } from './pruner/pruneModel';
export { planPruning } from './pruner/planPruning';
export type { GroupPlan, PruningPlan } from './pruner/planPruning';
export type { FineTuneStep, PruningOptions, PruningProgress } from './pruner/pruningOptions';
export type { BeforeAfter, GroupReport, PruningReport } from './pruner/pruningReport';
export { sensitivityAnalysis, ratiosFromSensitivity } from './pruner/sensitivityAnalysis';
export type { GroupSensitivity, SensitivityOptions, SensitivityResult } from './pruner/sensitivityAnalysis';
// artifacts and weight quantization
export { modelArtifacts } from './surgery/modelArtifacts';
export { quantizeArtifacts } from './quantize/quantizeArtifacts';
export type { QuantizedArtifacts, WeightQuantization } from './quantize/quantizeArtifacts';
export { pruneToTarget } from './pruner/pruneToTarget';
export type { PruningTarget, TargetAttempt, TargetOptions, TargetResult } from './pruner/pruneToTarget';
// images as model inputs (Node and browser)
export { imageInput } from './data/imageInput';
export type { ImageInputOptions, RgbaImage } from './data/imageInput';
