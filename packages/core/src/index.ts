export { channelDependencies, mapChannelIndices } from './channelDependencies';
export type { ChannelDependencies, ChannelDependencyLayer, ChannelIndexMap, ChannelLayerKind } from './channelDependencies';
