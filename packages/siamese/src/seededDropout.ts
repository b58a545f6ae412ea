import type { LayersModel } from '@tensorflow/tfjs-layers';

type AnyLayer = LayersModel['layers'][number];

/** Layer classes whose `call` draws its mask with `this.seed` (tfjs-layers Dropout and its subclass). */
const SEEDED_DROPOUT_CLASSES = new Set(['Dropout', 'SpatialDropout1D']);

/** Every layer of a model, descending into nested models. */
function allLayers(model: { layers: AnyLayer[] }): AnyLayer[] {
  return model.layers.flatMap((layer) => {
    const nested = (layer as unknown as { layers?: AnyLayer[] }).layers;
    return Array.isArray(nested) ? [layer, ...allLayers({ layers: nested })] : [layer];
  });
}

/**
 * Makes every Dropout layer of `model` read a fresh seed from `nextSeed` at each call, and returns a function that
 * restores the layers. tfjs dropout with a fixed seed draws the same mask at every call, and without one it draws
 * from Math.random; a per-call seed from a seeded stream gives reproducible, independent masks (also for the two
 * applications of a shared encoder).
 */
export function seedDropoutLayers(model: LayersModel, nextSeed: () => number): () => void {
  const restores: (() => void)[] = [];
  for (const layer of allLayers(model)) {
    if (!SEEDED_DROPOUT_CLASSES.has(layer.getClassName())) continue;
    const own = Object.getOwnPropertyDescriptor(layer, 'seed');
    Object.defineProperty(layer, 'seed', { configurable: true, enumerable: true, get: nextSeed, set: () => undefined });
    restores.push(() => {
      if (own) Object.defineProperty(layer, 'seed', own);
      else delete (layer as unknown as { seed?: number }).seed;
    });
  }
  return () => {
    for (const restore of restores) restore();
  };
}
