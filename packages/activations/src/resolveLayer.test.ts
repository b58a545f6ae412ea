import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { listLayers } from './listLayers';
import { resolveLayer, resolveLayerEntry } from './resolveLayer';
import { tinySiamese } from './test-utils/tinySiamese';

describe('listLayers', () => {
  it('walks nested models depth first with slash paths', () => {
    const model = tinySiamese();
    const paths = listLayers(model).map((e) => e.path);
    expect(paths).toEqual([
      'left',
      'right',
      'encoder',
      'encoder/image',
      'encoder/conv1',
      'encoder/relu1',
      'encoder/pool1',
      'encoder/conv2',
      'encoder/relu2',
      'encoder/flatten',
      'encoder/embedding',
      'merge',
      'head_out',
    ]);
    const conv2 = listLayers(model).find((e) => e.path === 'encoder/conv2');
    expect(conv2?.className).toBe('Conv2D');
    expect(conv2?.outputShape).toEqual([null, 4, 4, 8]);
  });
});

describe('resolveLayer', () => {
  const model = tinySiamese();
  const encoder = model.getLayer('encoder') as tfl.LayersModel;

  it('finds a unique name anywhere, including inside the nested encoder', () => {
    expect(resolveLayer(model, 'conv2')).toBe(encoder.getLayer('conv2'));
    expect(resolveLayer(model, 'head_out')).toBe(model.getLayer('head_out'));
    expect(resolveLayer(model, 'encoder')).toBe(encoder);
  });

  it('finds a path', () => {
    expect(resolveLayer(model, 'encoder/conv2')).toBe(encoder.getLayer('conv2'));
    expect(resolveLayerEntry(model, 'conv2').path).toBe('encoder/conv2');
  });

  it('names the layers that exist, with their paths, when a name is unknown', () => {
    expect(() => resolveLayer(model, 'conv3')).toThrow(/no layer 'conv3' in model 'tiny_siamese' \(did you mean '[a-z/]*conv[12]'\?\)/);
    expect(() => resolveLayer(model, 'cnv2')).toThrow(/no layer 'cnv2' in model 'tiny_siamese' \(did you mean '[a-z/]*conv2'\?\)/);
    expect(() => resolveLayer(model, 'xyzzy')).not.toThrow(/did you mean/); // no near name: no guess
    expect(() => resolveLayer(model, 'xyzzy')).toThrow(/no layer 'xyzzy'/);
    expect(() => resolveLayer(model, 'conv3')).toThrow(/encoder\/conv2 \(Conv2D, output \[B,4,4,8\]\)/);
    expect(() => resolveLayer(model, 'other/conv2')).toThrow(/no layer 'other\/conv2'/);
    expect(() => resolveLayer(model, '')).toThrow(/invalid layer path ""/);
  });

  it('refuses an ambiguous name and lists the candidates', () => {
    // An outer layer with the same name as one inside the encoder.
    const inner = tfl.sequential({ name: 'inner', layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    const x = tfl.input({ shape: [3] });
    const y = tfl.layers.dense({ units: 1, name: 'd' }).apply(inner.apply(x)) as tfl.SymbolicTensor;
    const outer = tfl.model({ inputs: x, outputs: y, name: 'outer' });
    expect(() => resolveLayer(outer, 'd')).toThrow(/'d' is ambiguous in model 'outer'; it matches 'inner\/d', 'd'/);
    expect(resolveLayer(outer, 'inner/d')).toBe(inner.getLayer('d'));
  });
});
