export { listLayers, describeLayers } from './listLayers';
export type { Layer, LayerEntry } from './listLayers';
export { resolveLayer, resolveLayerEntry, matchLayerPath } from './resolveLayer';
export { tapLayers, withTaps } from './tapLayers';
export type { TapCallback, TapContext } from './tapLayers';
export { ChannelStatsAccumulator } from './ChannelStatsAccumulator';
export type { ChannelStats, ChannelStatsOptions, DataFormat, ReduceOn } from './ChannelStatsAccumulator';
export { collectActivationStats, channelLayerProblem, listChannelLayers } from './collectActivationStats';
export type { CollectActivationStatsOptions, ModelInputs, PredictionBatch } from './collectActivationStats';
