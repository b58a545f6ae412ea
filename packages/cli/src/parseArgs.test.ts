import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './configError';
import { parseArgs, parseTarget } from './parseArgs';

/** Parses with commander's own output silenced, returning the error it throws. */
function fails(argv: string[]): Error {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    parseArgs(argv);
  } catch (error) {
    return error as Error;
  } finally {
    process.stderr.write = write;
  }
  throw new Error(`parseArgs(${argv.join(' ')}) did not fail`);
}

describe('parseArgs', () => {
  it('reads a ratio prune with defaults: l1-norm, uniform, out folder beside the model, images scaled by 1/255', () => {
    const c = parseArgs(['models/net/model.json', '--ratio', '0.3']);
    expect(c).toMatchObject({ model: 'models/net/model.json', out: 'models/net-pruned', criterion: 'l1-norm', strategy: 'uniform', ratio: 0.3, exclude: [], fineTuneEpochs: 0, backend: 'auto', latencyRuns: 10 });
    expect(c.preprocess).toEqual({ scale: 1 / 255, mean: [0], std: [1] });
    expect(c.target).toBeUndefined();
    expect(parseArgs(['model.json', '-r', '0.1']).out).toBe('pruned');
    expect(parseArgs(['nets/a/', '-r', '0.1']).out).toBe('nets/a-pruned');
  });

  it('reads layer ratios, exclusions, preprocessing, quantization and fine-tuning', () => {
    const c = parseArgs(['net', '-r', '0.2', '--layer-ratios', 'conv1=0.5, block/conv=0.1', '-x', 'conv9,head', '-d', 'imgs', '--size', '96x128', '--scale', '1/127.5', '--mean', '1', '--std', '0.229,0.224,0.225', '-q', 'uint8', '--fine-tune-epochs', '2', '--strategy', 'global', '-o', 'out']);
    expect(c.layerRatios).toEqual({ conv1: 0.5, 'block/conv': 0.1 });
    expect(c.exclude).toEqual(['conv9', 'head']);
    expect(c.preprocess).toEqual({ size: [96, 128], scale: 1 / 127.5, mean: [1], std: [0.229, 0.224, 0.225] });
    expect(c).toMatchObject({ quantize: 'uint8', fineTuneEpochs: 2, strategy: 'global', out: 'out', data: 'imgs' });
  });

  it('takes the progress modes the experiment takes (one flag for both), default auto, and refuses others', () => {
    expect(parseArgs(['net', '-r', '0.1']).progress).toBe('auto');
    for (const mode of ['auto', 'bars', 'lines', 'none'] as const) expect(parseArgs(['net', '-r', '0.1', '--progress', mode]).progress).toBe(mode);
    const error = fails(['net', '-r', '0.1', '--progress', 'dots']);
    expect(error).toBeInstanceOf(CommanderError);
    expect(error.message).toContain("'dots' is invalid");
  });

  it('reads targets as a fraction of the model, an absolute count with a suffix, or milliseconds', () => {
    expect(parseTarget('params=50%')).toEqual({ kind: 'params', fraction: 0.5 });
    expect(parseTarget('macs=1.5M')).toEqual({ kind: 'macs', count: 1.5e6 });
    expect(parseTarget('params=12000')).toEqual({ kind: 'params', count: 12000 });
    expect(parseTarget('latency=12.5ms')).toEqual({ kind: 'latencyMs', ms: 12.5 });
    expect(() => parseTarget('flops=3')).toThrow(/--target takes params=<N or %>, macs=<N or %> or latency=<ms>.*got 'flops=3'/);
    expect(() => parseTarget('params=100%')).toThrow(/keeps everything/);
    expect(() => parseTarget('latency=3%')).toThrow(/--target takes/);
  });

  it('refuses what cannot work before any work, saying what to give instead', () => {
    expect(fails(['net'])).toEqual(new ConfigError(`say how much to prune: --ratio 0.3 (30% of the channels), --layer-ratios conv1=0.2,… or --target params=50%`));
    expect(fails(['net', '-r', '0.3', '-t', 'params=50%']).message).toMatch(/either --target or --ratio/);
    expect(fails(['net', '-r', '0.3', '-c', 'mean-activation']).message).toMatch(/--criterion mean-activation runs the model on data: give --data, or use l1-norm/);
    expect(fails(['net', '-r', '0.3', '--fine-tune-epochs', '1']).message).toMatch(/--fine-tune-epochs needs labelled --data/);
    expect(fails(['net', '-r', '0.3', '--labels', 'y.npy']).message).toMatch(/--labels goes with --data/);
    for (const argv of [['net', '-r', '1.5'], ['net', '-r', '0.3', '-c', 'magic'], ['net', '-r', '0.3', '-q', 'int4'], ['net', '-r', '0.3', '--size', '224']]) {
      expect(fails(argv)).toBeInstanceOf(CommanderError);
    }
    expect(fails(['net', '-r', '1.5']).message).toMatch(/--ratio takes a fraction in \[0, 1\)/);
    expect(fails(['net', '-r', '0.3', '--layer-ratios', 'conv1:0.2']).message).toMatch(/'conv1:0.2' is not one/);
  });
});
