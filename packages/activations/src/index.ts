export { listLayers, describeLayers } from './listLayers';
export type { Layer, LayerEntry } from './listLayers';
export { resolveLayer, resolveLayerEntry, matchLayerPath } from './resolveLayer';
export { tapLayers, withTaps } from './tapLayers';
export type { TapCallback, TapContext } from './tapLayers';
