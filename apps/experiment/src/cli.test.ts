import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResults, type Results } from '@prune/report';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(appDir, 'node_modules', '.bin', 'tsx');

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a child process (as `pnpm experiment` does), optionally interrupting it when stderr matches. */
function runCli(args: string[], options: { interruptWhen?: RegExp; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['--conditions=@prune/source', 'src/cli.ts', ...args], {
      cwd: appDir,
      env: { ...process.env, INIT_CWD: appDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: Boolean(options.interruptWhen), // its own process group, as in a terminal
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(stderr)) {
        interrupted = true;
        process.kill(-(child.pid as number), 'SIGINT'); // Ctrl-C: the terminal signals the whole process group
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\n${stderr}`));
    }, options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The SVG's declared size: the PNG is rendered at twice that. */
function svgSize(file: string): { width: number; height: number } {
  const head = readFileSync(file, 'utf8').slice(0, 400);
  const width = Number(/width="(\d+(?:\.\d+)?)"/.exec(head)?.[1]);
  const height = Number(/height="(\d+(?:\.\d+)?)"/.exec(head)?.[1]);
  return { width, height };
}

const SMALL = ['--train-fraction', '0.02', '--test-fraction', '0.05', '--train-pairs', '320', '--test-pairs', '200', '--epochs', '1', '--export-k', '4', '--progress', 'lines'];
const TABLE_LINE = /^K=[ \d]\d \| Test Acc=\d\.\d{4}$/;

describe('pnpm experiment (real CLI, small configuration)', () => {
  let out: string;
  let first: CliRun;
  let results: Results;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'prune-e2e-'));
    first = await runCli([...SMALL, '--out-dir', out, '--run-id', 'first']);
    if (first.code !== 0) throw new Error(`first run failed (${first.code}):\n${first.stderr}`);
    const file = join(out, 'first', 'results.json');
    results = parseResults(readFileSync(file, 'utf8'), file);
  }, 400_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('prints the reference table K= 1 … K=31, matching results.json', () => {
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(31);
    lines.forEach((line) => expect(line).toMatch(TABLE_LINE));
    expect(lines[0]?.startsWith('K= 1 | Test Acc=')).toBe(true);
    expect(lines[30]?.startsWith('K=31 | Test Acc=')).toBe(true);
    const mean = results.summary[0]!.mean;
    lines.forEach((line, i) => expect(line).toBe(`K=${String(i + 1).padStart(2)} | Test Acc=${mean[i + 1]!.toFixed(4)}`));
  });

  it('reports the backend and why, progress lines, and the leak note', () => {
    expect(first.stderr).toMatch(/backend: (wasm|tensorflow|cpu) \(.+\)/);
    expect(first.stderr).toMatch(/epoch 1\/1: loss \d/);
    expect(first.stderr).toMatch(/statistics: encoder\/conv2: 32 channels, 400 images/);
    expect(first.stderr).toContain('ranked on the test pairs');
  });

  it('writes a run folder whose results.json is valid and complete', () => {
    const dir = join(out, 'first');
    for (const f of ['config.json', 'results.json', 'accuracy_vs_k.csv', 'accuracy_vs_k.svg', 'accuracy_vs_k.png', 'feature_maps.svg', 'feature_maps.png', 'costs.svg', 'costs.png', 'costs.csv', 'model/model.json', 'model/weights.bin', 'pruned/mean-k4/model.json', 'viewer-data/index.json', 'index.html']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(results.runId).toBe('first');
    expect(results.dataset).toMatchObject({ train: { images: 1200, pairs: 320 }, test: { images: 500, pairs: 200 } });
    expect(results.layer).toEqual({ name: 'encoder/conv2', channels: 32 });
    const run = results.seedRuns[0]!;
    expect(run.model.reused).toBe(false);
    expect(run.stats.images).toBe(400);
    expect(run.stats.mapShape).toEqual([32, 14, 14]);
    expect(run.criteria[0]!.accuracy[0]).toBeCloseTo(run.test.accuracy, 10); // K = 0 is the unpruned model
    expect(results.costs.map((c) => c.k)).toEqual(Array.from({ length: 32 }, (_, k) => k));
    expect(results.costs[31]!.params).toBeLessThan(results.costs[0]!.params);
    // The pruned model exported at K = 4 has the sweep's accuracy at K = 4.
    expect(results.exports.map((e) => e.k)).toEqual([4]);
    expect(results.exports[0]!.accuracy).toBeCloseTo(run.criteria[0]!.accuracy[4]!, 10);
    expect(readlinkSync(join(out, 'latest'))).toBe('first');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toEqual(JSON.parse(JSON.stringify(results.config)));
    const csv = readFileSync(join(dir, 'accuracy_vs_k.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('k,accuracy_mean,std_mean,accuracy_mean_seed42');
    expect(csv).toHaveLength(33);
  });

  it('writes the viewer data the index describes, with consistent sizes', () => {
    const dir = join(out, 'first', 'viewer-data');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index).toMatchObject({ format: 'prune-viewer-data', version: 1, layer: 'encoder/conv2', channels: 32 });
    expect(readFileSync(join(dir, index.images.file)).length).toBe(500 * 784);
    expect(readFileSync(join(dir, index.pairs.file)).length).toBe(2 * 200 * 4);
    expect(readFileSync(join(dir, index.labels.file)).length).toBe(200);
    expect(index.features).toMatchObject({ shape: [500, 7, 7, 32], cut: 'encoder/pool2', passThrough: ['relu2', 'pool2'] });
    expect(readFileSync(join(dir, index.features.file)).length).toBe(500 * 7 * 7 * 32 * 4);
    const labels = readFileSync(join(dir, index.labels.file));
    expect(labels.reduce((a, b) => a + b, 0)).toBe(100); // balanced pairs
  });

  it('renders both figures (and the costs) as PNGs at twice the SVG size', () => {
    for (const name of ['accuracy_vs_k', 'feature_maps', 'costs']) {
      const png = pngSize(join(out, 'first', `${name}.png`));
      const svg = svgSize(join(out, 'first', `${name}.svg`));
      expect(svg.width).toBeGreaterThan(300);
      expect(png).toEqual({ width: Math.round(svg.width * 2), height: Math.round(svg.height * 2) });
    }
  });

  it('reuses the cached model on a second run and gives the same numbers', async () => {
    const second = await runCli([...SMALL, '--out-dir', out, '--run-id', 'second']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/reusing the cached model [0-9a-f]{20}/);
    expect(second.stderr).not.toMatch(/epoch 1\/1/);
    const file = join(out, 'second', 'results.json');
    const again = parseResults(readFileSync(file, 'utf8'), file);
    expect(again.seedRuns[0]!.model.reused).toBe(true);
    expect(again.seedRuns[0]!.model.cacheKey).toBe(results.seedRuns[0]!.model.cacheKey);
    expect(again.summary[0]!.mean).toEqual(results.summary[0]!.mean);
    expect(second.stdout).toBe(first.stdout);
    expect(readlinkSync(join(out, 'latest'))).toBe('second');
  }, 300_000);

  it('trains again with --no-cache and, with the same seed, gets the same numbers', async () => {
    const third = await runCli([...SMALL, '--out-dir', out, '--run-id', 'third', '--no-cache', '--export-k', '']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/epoch 1\/1: loss/);
    const file = join(out, 'third', 'results.json');
    const again = parseResults(readFileSync(file, 'utf8'), file);
    expect(again.seedRuns[0]!.model.reused).toBe(false);
    expect(again.seedRuns[0]!.model.history).toEqual(results.seedRuns[0]!.model.history.map((e) => ({ ...e, seconds: expect.any(Number) })));
    expect(again.seedRuns[0]!.test).toEqual(results.seedRuns[0]!.test);
    expect(again.summary[0]!.mean).toEqual(results.summary[0]!.mean);
    expect(again.exports).toEqual([]);
    // --no-cache refreshes the cache entry (same key), which later runs then reuse.
    const meta = JSON.parse(readFileSync(join(out, '.cache', again.seedRuns[0]!.model.cacheKey, 'meta.json'), 'utf8'));
    expect(Date.parse(meta.createdAt)).toBeGreaterThan(Date.parse(results.createdAt));
  }, 300_000);

  it('refuses to overwrite an existing run folder, before training', async () => {
    const again = await runCli([...SMALL, '--out-dir', out, '--run-id', 'first', '--export-k', '']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`--run-id first: ${join(out, 'first')} already exists`);
    expect(again.stderr).not.toMatch(/epoch 1\//);
  }, 300_000);

  it('says a damaged cache entry is damaged, trains again, replaces it, and later runs reuse it', async () => {
    const key = results.seedRuns[0]!.model.cacheKey;
    const weights = join(out, '.cache', key, 'model', 'weights.bin');
    const bytes = readFileSync(weights);
    for (let i = 4096; i < 4096 + 256; i++) bytes[i] = bytes[i]! ^ 0xff; // same size, other weights
    writeFileSync(weights, bytes);
    const damaged = await runCli([...SMALL, '--out-dir', out, '--run-id', 'after-damage', '--export-k', '']);
    expect(damaged.code, damaged.stderr).toBe(0);
    expect(damaged.stderr).toContain(`warning: model cache entry ${join(out, '.cache', key)} is damaged: model/weights.bin has changed since it was stored`);
    expect(damaged.stderr).toMatch(/epoch 1\/1: loss/);
    expect(damaged.stdout).toBe(first.stdout); // retrained with the same seed: the same numbers
    const repaired = await runCli([...SMALL, '--out-dir', out, '--run-id', 'after-repair', '--export-k', '']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toMatch(new RegExp(`reusing the cached model ${key}`));
    expect(repaired.stderr).not.toContain('damaged');
  }, 300_000);
});

describe('pnpm experiment beyond the reference (small configuration)', () => {
  it('offers the gradient and ablation criteria; ablation ranked on the test pairs keeps the best single-channel model at K = 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'prune-criteria-'));
    try {
      const args = ['--train-fraction', '0.02', '--test-fraction', '0.03', '--train-pairs', '192', '--test-pairs', '120', '--epochs', '1', '--progress', 'lines'];
      const run = await runCli([...args, '--criteria', 'mean,l1,taylor,ablation', '--export-k', '', '--out-dir', out, '--run-id', 'criteria']);
      expect(run.code, run.stderr).toBe(0);
      const file = join(out, 'criteria', 'results.json');
      const results = parseResults(readFileSync(file, 'utf8'), file);
      const criteria = results.seedRuns[0]!.criteria;
      expect(criteria.map((c) => c.criterion)).toEqual(['mean', 'l1', 'taylor', 'ablation']);
      const taylor = criteria[2]!;
      expect(taylor.scores.every((s) => s >= 0)).toBe(true);
      // Ablation scores every channel by the accuracy lost on these very pairs when it alone is removed, so its K = 1
      // model is the best single-channel removal: no other criterion's K = 1 model can beat it.
      const ablationAtOne = criteria[3]!.accuracy[1]!;
      for (const c of criteria) expect(c.accuracy[1]!).toBeLessThanOrEqual(ablationAtOne + 1e-12);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 400_000);

  it('sweeps several criteria over several seeds, ranks on held-out train pairs, fine-tunes and exports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'prune-beyond-'));
    try {
      const args = ['--train-fraction', '0.02', '--test-fraction', '0.03', '--train-pairs', '192', '--test-pairs', '120', '--epochs', '1', '--progress', 'lines'];
      const run = await runCli([...args, '--criteria', 'mean,random', '--seeds', '3,4', '--calibration', 'train', '--calibration-fraction', '0.01', '--calibration-pairs', '100', '--fine-tune-epochs', '1', '--export-k', '6', '--layer', 'conv1', '--out-dir', out, '--run-id', 'beyond']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('ranked on held-out train pairs');
      const file = join(out, 'beyond', 'results.json');
      const results = parseResults(readFileSync(file, 'utf8'), file);
      expect(results.layer).toEqual({ name: 'encoder/conv1', channels: 16 });
      expect(results.calibration).toMatchObject({ source: 'train', pairs: 100, images: 200, heldOut: true });
      expect(results.seedRuns.map((r) => r.seed)).toEqual([3, 4]);
      expect(results.seedRuns[1]!.model.path).toBe('models/seed-4');
      expect(results.seedRuns.map((r) => r.stats.images)).toEqual([200, 200]);
      expect(results.summary.map((s) => [s.criterion, s.seeds, s.k.length])).toEqual([['mean', 2, 16], ['random', 2, 16]]);
      // The std over two seeds is |a - b| / √2 at every K.
      const [a, b] = results.seedRuns.map((r) => r.criteria[0]!.accuracy);
      results.summary[0]!.std.forEach((std, k) => expect(std).toBeCloseTo(Math.abs(a![k]! - b![k]!) / Math.SQRT2, 12));
      for (const r of results.seedRuns) {
        for (const c of r.criteria) {
          expect(c.fineTune).toHaveLength(1);
          expect(c.fineTune[0]).toMatchObject({ k: 6, epochs: 1, accuracyBefore: c.accuracy[6] });
        }
      }
      expect(results.exports.map((e) => e.path).sort()).toEqual(['pruned/mean-k6', 'pruned/mean-k6-finetuned', 'pruned/random-k6', 'pruned/random-k6-finetuned']);
      expect(existsSync(join(out, 'beyond', 'pruned', 'random-k6-finetuned', 'model.json'))).toBe(true);
      const tables = run.stdout.trim().split('\n');
      expect(tables[0]).toBe('# criterion mean, mean over 2 seeds');
      expect(tables[16]).toBe('# criterion random, mean over 2 seeds');
      expect(tables.filter((l) => TABLE_LINE.test(l))).toHaveLength(30);
      expect(pngSize(join(out, 'beyond', 'feature_maps.png')).width).toBeGreaterThan(600);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 400_000);
});

describe('pnpm experiment errors', () => {
  it('names the bad flag, config field and file', async () => {
    const bad = await runCli(['--train-fraction', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('flag --train-fraction: must be <= 1');
    const dir = mkdtempSync(join(tmpdir(), 'prune-cfg-'));
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ epochs: 2, testPairs: 0, colour: 'red' }));
    const fromFile = await runCli(['--config', file]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`${file}: field 'testPairs'`);
    expect(fromFile.stderr).toContain("unknown field(s) 'colour'");
    rmSync(dir, { recursive: true });
  });

  it('lists every option with its default in --help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--config', '--data', '--train-fraction', '--test-fraction', '--train-pairs', '--test-pairs', '--batch-size', '--epochs', '--learning-rate', '--seed ', '--seeds', '--layer', '--criteria', '--calibration ', '--fine-tune-epochs', '--export-k', '--backend', '--threads', '--out-dir', '--run-id', '--no-cache']) {
      expect(help.stdout).toContain(flag);
    }
    for (const def of ['(default: 0.1)', '(default: 10000)', '(default: 2000)', '(default: 64)', '(default: 10)', '(default: 0.001)', '(default: conv2)', '(default: mean)']) {
      expect(help.stdout).toContain(def);
    }
  });

  it('names a missing data folder and an unwritable output folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-err-'));
    const missing = await runCli(['--data', join(dir, 'no-such-mnist'), '--out-dir', join(dir, 'runs'), ...SMALL]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(join(dir, 'no-such-mnist'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const unwritable = await runCli(['--out-dir', join(file, 'runs'), ...SMALL]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(new RegExp(`--out-dir ${join(file, 'runs')}: cannot create the output folder \\(ENOTDIR\\)`));
    rmSync(dir, { recursive: true });
  }, 120_000);

  it('refuses a --layer @prune/core cannot prune, with core\'s reason, before loading data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-layer-'));
    const embedding = await runCli(['--layer', 'embedding', '--out-dir', dir, ...SMALL]);
    expect(embedding.code).toBe(2);
    expect(embedding.stderr).toContain("--layer embedding: Cannot prune the output channels of 'encoder/embedding': they reach layer 'fusion' (SiameseFusion)");
    const relu = await runCli(['--layer', 'relu2', '--out-dir', dir, ...SMALL]);
    expect(relu.code).toBe(2);
    expect(relu.stderr).toContain("--layer relu2: Layer 'encoder/relu2' (Activation) has no prunable output channels");
    expect(embedding.stderr + relu.stderr).not.toContain('load data');
    expect(readdirSync(dir)).toEqual([]); // nothing written
    rmSync(dir, { recursive: true });
  }, 120_000);

  it('Ctrl-C during training leaves no half-written file and no run folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-int-'));
    const run = await runCli([...SMALL, '--epochs', '3', '--out-dir', dir, '--run-id', 'cut'], { interruptWhen: /epoch 1\/3: 0\// });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('interrupted (SIGINT)');
    const left = readdirSync(dir);
    expect(left).toEqual(['.cache']);
    expect(readdirSync(join(dir, '.cache'))).toEqual([]);
    rmSync(dir, { recursive: true });
  }, 120_000);
});

describe('pnpm experiment refuses what it cannot do before training: exit 2, the flag named, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['export K beyond the channels', ['--export-k', '32,100'], /--export-k 32,100: K = 32, 100 is not below the 32 channels of encoder\/conv2; export K must be 1 … 31/],
    ['test pairs beyond memory', ['--test-pairs', '100000000'], /--test-pairs 100000000: the run would hold \d+ GB at once \(the test pair tensors \d+ GB/],
    ['a train subset too small to pair', ['--train-fraction', '0.00002'], /--train-pairs 320 from 1 image\(s\) \(--train-fraction 0\.00002\): /],
    ['a train subset that cannot give every pair', ['--train-fraction', '0.0002'], /--train-pairs 320: the 12 image\(s\) of --train-fraction 0\.0002 give only \d+ pairs/],
    ['an odd pair count', ['--train-pairs', '641'], /--train-pairs 641: must be even \(half the pairs show the same digit, half different\); use 640 or 642/],
    ['zero epochs', ['--epochs', '0'], /--epochs 0: trains nothing/],
    ['the run id latest', ['--run-id', 'latest'], /flag --run-id: .*latest/],
    ['a run id of a temporary', ['--run-id', '.mine.partial-4000000'], /flag --run-id: /],
    ['the run id ..', ['--run-id', '..'], /flag --run-id: /],
    ['the run id .cache', ['--run-id', '.cache'], /flag --run-id: /],
  ];
  it.each(cases)('%s', async (_what, flags, message) => {
    const out = mkdtempSync(join(tmpdir(), 'prune-refuse-'));
    try {
      const run = await runCli([...SMALL, '--export-k', '4', ...flags, '--out-dir', join(out, 'runs')]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/epoch 1\//);
      expect(readdirSync(out)).toEqual([]); // not even the out-dir or its .cache/
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
