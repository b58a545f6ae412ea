import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@prune/cli/process';
import { parseCli } from './parseCli.js';

describe('parseCli', () => {
  let dir: string;
  const savedCwd = process.env.INIT_CWD;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prune-config-'));
    process.env.INIT_CWD = dir;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (savedCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = savedCwd;
  });

  it("gives the reference experiment's settings with no flags, paths resolved against the caller's folder", () => {
    const { config, progress, configFile } = parseCli([]);
    expect(config).toMatchObject({ trainFraction: 0.1, testFraction: 0.1, trainPairs: 10000, testPairs: 2000, batchSize: 64, epochs: 10, learningRate: 1e-3, seed: 42, seeds: [42], layer: 'conv2', criteria: ['mean'], calibration: 'test', fineTuneEpochs: 0, data: null, cache: true });
    expect(config.outDir).toBe(join(dir, 'runs'));
    expect(progress).toBe('auto');
    expect(configFile).toBeNull();
  });

  it('reads every kind of flag', () => {
    const { config } = parseCli(['--train-fraction', '0.05', '--epochs', '3', '--seeds', '1, 2,3', '--criteria', 'mean,l1', '--calibration', 'train', '--export-k', '', '--no-cache', '--data', 'mnist', '--layer', 'conv1']);
    expect(config).toMatchObject({ trainFraction: 0.05, epochs: 3, seeds: [1, 2, 3], criteria: ['mean', 'l1'], calibration: 'train', exportK: [], cache: false, layer: 'conv1' });
    expect(config.data).toBe(join(dir, 'mnist'));
  });

  it('applies defaults < config file < flags', () => {
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({ epochs: 2, testPairs: 500, criteria: ['l2'] }));
    const { config, configFile } = parseCli(['--config', 'exp.json', '--epochs', '5']);
    expect(configFile).toBe(file);
    expect(config).toMatchObject({ epochs: 5, testPairs: 500, criteria: ['l2'], trainPairs: 10000 });
  });

  it('names the flag, or the file and field, of a bad value', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ batchSize: 0, seeds: ['x'], extra: 1 }));
    const message = (() => {
      try {
        parseCli(['--config', file, '--test-fraction', '0']);
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
    })();
    expect(message).toContain('flag --test-fraction: must be > 0');
    expect(message).toContain(`${file}: field 'batchSize'`);
    expect(message).toContain(`${file}: field 'seeds[0]'`);
    expect(message).toContain("unknown field(s) 'extra'");
    writeFileSync(file, '{ "epochs": 1,');
    expect(() => parseCli(['--config', file])).toThrow(new RegExp(`--config ${file}: not valid JSON`));
    writeFileSync(file, JSON.stringify({ criteria: ['mean', 'taylorr'] }));
    expect(() => parseCli(['--config', file])).toThrow(`${file}: field 'criteria': unknown criterion 'taylorr'`);
    expect(() => parseCli(['--criteria', 'nope'])).toThrow("--criteria: unknown criterion 'nope'");
    expect(() => parseCli(['--run-id', 'a/b'])).toThrow(/flag --run-id: start with a letter or digit, then use letters, digits/);
    expect(() => parseCli(['--run-id', 'latest'])).toThrow(/flag --run-id: 'latest' is the out-dir's link/);
    expect(() => parseCli(['--epochs', '0'])).toThrow('--epochs 0: trains nothing');
    expect(() => parseCli(['--test-pairs', '2001'])).toThrow('--test-pairs 2001: must be even');
    expect(() => parseCli(['--calibration-pairs', '7'])).toThrow('--calibration-pairs 7: must be even');
  });

  it('takes the wasm thread count from --threads (default: null, every logical core) and names the flag of a bad one', () => {
    expect(parseCli([]).config.threads).toBeNull();
    expect(parseCli(['--threads', '2']).config.threads).toBe(2);
    expect(() => parseCli(['--threads', '0'])).toThrow('flag --threads: Too small: expected number to be >0');
    expect(() => parseCli(['--threads', '1.5'])).toThrow('flag --threads: Invalid input: expected int, received number');
    expect(() => parseCli(['--threads', 'two'])).toThrow("--threads: 'two' is not a number.");
  });
});
