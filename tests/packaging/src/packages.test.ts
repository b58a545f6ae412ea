import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);

interface Manifest {
  name: string; version: string; private?: boolean; bin?: unknown; dependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}
const published = readdirSync(join(root, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
  // A package whose root export has no `require` condition is ESM-only: checked as such.
  const rootExport = manifest.exports?.['.'];
  const offersCjs = typeof rootExport === 'object' && rootExport !== null && 'require' in rootExport;
  return { dir: join(root, 'packages', dir), manifest, offersCjs };
}).filter((p) => !p.manifest.private);

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

let scratch: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'prune-pack-'));
  const packDir = join(scratch, 'tarballs');
  for (const { dir, manifest } of published) {
    const out = run('pnpm', ['pack', '--pack-destination', packDir], dir).trim().split('\n').pop()!;
    tarballs.set(manifest.name, out.startsWith('/') ? out : join(packDir, out));
  }
  // A consumer project outside the workspace; internal @prune deps resolve to the tarballs, everything else
  // (tfjs and third-party dependencies) comes from the registry as for any user.
  const project = join(scratch, 'consumer');
  const fileSpecs = Object.fromEntries([...tarballs].map(([name, path]) => [name, `file:${path}`]));
  const manifest = {
    name: 'consumer', private: true, version: '0.0.0',
    dependencies: {
      ...fileSpecs,
      '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-layers': '4.22.0', '@tensorflow/tfjs-backend-cpu': '4.22.0',
      '@types/node': '20.19.8',
    },
    overrides: fileSpecs,
  };
  run('mkdir', ['-p', project], scratch);
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], project);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * The Node built-ins a built ES module reaches, statically or by a literal dynamic import, following its relative
 * imports (tsup's shared chunks): what a bundler would have to resolve for a browser.
 */
function nodeBuiltinsReached(entry: string, seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [];
  seen.add(entry);
  const code = readFileSync(entry, 'utf8');
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)].map((m) => m[1]!);
  return specifiers.flatMap((s) => {
    if (s.startsWith('.')) return nodeBuiltinsReached(join(dirname(entry), s), seen);
    return s.startsWith('node:') || builtinModules.includes(s.split('/')[0]!) ? [s] : [];
  });
}

describe.each(published.map((p) => [p.manifest.name, p] as const))('%s', (name, { dir, manifest, offersCjs }) => {
  // A command-line tool (a `bin`) runs in Node only; every library's root entry must bundle for browsers.
  it.skipIf(manifest.bin !== undefined)(
    'has a root entry that reaches no Node built-in (Node-only helpers live behind ./node)', () => {
    const installed = join(scratch, 'consumer/node_modules', name);
    const packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest;
    const root = (packed.exports?.['.'] as { import: { default: string } }).import.default;
    expect(nodeBuiltinsReached(join(installed, root))).toEqual([]);
  });

  it('passes publint --strict', () => {
    const out = run(bin('publint'), ['--strict'], dir);
    expect(out).not.toMatch(/error|warning/i);
  });

  it('has correct types under every module resolution (are-the-types-wrong)', () => {
    // The tarball pnpm packed (what npm would publish); the exit code is non-zero on any problem.
    run(bin('attw'), [tarballs.get(name)!, '--format', 'ascii', ...(offersCjs ? [] : ['--profile', 'esm-only'])], dir);
  });

  // Every entry point the manifest exports ('.', './node' …), each with the source file that defines it.
  const entries = Object.entries(manifest.exports ?? {})
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => [name + subpath.slice(1), (target as Record<string, string>)['@prune/source']!] as const);

  it.each(entries)(`installs from its tarball and loads %s with ESM import${offersCjs ? ' and CJS require' : ' (ESM-only)'}`, (specifier, source) => {
    const project = join(scratch, 'consumer');
    const esm = run('node', ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`], project);
    const esmKeys = JSON.parse(esm) as string[];
    // Every export of the entry's source index is there (each index lists its exports flat).
    const index = readFileSync(join(dir, source), 'utf8');
    for (const [, names] of index.matchAll(/^export \{([^}]*)\}/gm)) {
      for (const entry of names!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '))) {
        expect(esmKeys).toContain(entry.split(/\s+as\s+/).pop());
      }
    }
    if (!offersCjs) return;
    const cjs = run('node', ['-e',
      `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`], project);
    expect(JSON.parse(cjs)).toEqual(esmKeys.filter((k) => k !== 'default'));
  });
});

/**
 * Runs tsc with skipLibCheck off, so the published declarations are checked too, and fails on any error outside
 * @tensorflow's own declarations (tfjs 4.22's .d.ts do not pass strict checks; that is not ours to fix).
 */
function typecheck(tsconfigFile: string, project: string): void {
  try {
    execFileSync(bin('tsc'), ['-p', tsconfigFile], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? '');
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors.length, output).toBeGreaterThan(0); // tsc failed for a reason it printed
    expect(errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'))).toEqual([]);
  }
}

describe('@prune/core in a consumer project', () => {
  const tsconfig = (resolution: 'bundler' | 'node16', file: string, emit: boolean) => ({
    compilerOptions: {
      target: 'ES2022', module: resolution === 'bundler' ? 'ESNext' : 'Node16', moduleResolution: resolution,
      strict: true, skipLibCheck: false, types: [], ...(emit ? { outDir: 'out', noEmitOnError: false } : { noEmit: true }),
    },
    files: [file],
  });

  it.each(['bundler', 'node16'] as const)('typechecks a consumer file with moduleResolution %s', (resolution) => {
    const project = join(scratch, 'consumer');
    const file = resolution === 'bundler' ? 'consumer.ts' : 'consumer.mts';
    writeFileSync(join(project, file), readFileSync(join(import.meta.dirname, 'consumerExample.ts.txt'), 'utf8'));
    writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig(resolution, file, false)));
    typecheck(`tsconfig.${resolution}.json`, project);
  });

  it('runs the consumer file: rank, mask, surgery, sweep and counts give hand-checked results', () => {
    const project = join(scratch, 'consumer');
    writeFileSync(join(project, 'consumer.mts'), readFileSync(join(import.meta.dirname, 'consumerExample.ts.txt'), 'utf8'));
    writeFileSync(join(project, 'tsconfig.emit.json'), JSON.stringify(tsconfig('node16', 'consumer.mts', true)));
    typecheck('tsconfig.emit.json', project);
    const out = JSON.parse(run('node', ['out/consumer.mjs'], project).trim().split('\n').pop()!) as {
      mask: { layer: string; channels: number; pruned: number[] }; diff: number;
      sweep: { path: string; ks: number[]; baseline: number }; l1Order: number[]; biasScores: number;
      params: [number, number]; macs: number; scores: number[]; handMeans: number[]; handL1: number[];
      whole: { params: { before: number; after: number }; groups: [string, number, number][]; filters: number };
    };
    const ascending = (values: number[]) => values.map((v, c) => [v, c] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, c]) => c);
    expect(out.mask.layer).toBe('conv');
    expect(out.mask.channels).toBe(4);
    // The scores are the conv's mean output per channel, as computed in the consumer without @prune/core, and the
    // mask holds the two weakest of them.
    out.scores.forEach((s, c) => expect(s).toBeCloseTo(out.handMeans[c]!, 5));
    expect(out.mask.pruned).toEqual(ascending(out.handMeans).slice(0, 2).sort((a, b) => a - b));
    expect(out.diff).toBeLessThanOrEqual(1e-5); // surgery equals the masked model
    expect(out.sweep.ks).toEqual([1, 2, 3]);
    expect(out.sweep.path).toBe('linear-consumer');
    expect(out.l1Order).toEqual(ascending(out.handL1));
    expect(out.biasScores).toBe(4);
    // conv 3·3·1·4 + 4 = 40, dense 6·6·4·2 + 2 = 290; two channels remove 2·(9 + 1) + 2·36·2 = 164.
    expect(out.params).toEqual([330, 330 - 164]);
    // conv 6·6 positions × 9 × 4 channels = 1296, dense 144 × 2 = 288.
    expect(out.macs).toBe(1296 + 288);
    // pruneModel at 50%: the conv's group loses 2 of 4 channels; the dense output cannot be pruned (a model output).
    expect(out.whole.groups).toEqual([['conv', 4, 2]]);
    expect(out.whole.filters).toBe(2);
    expect(out.whole.params).toEqual({ before: 330, after: 330 - 164 });
  });
});

describe('@prune/cli in a consumer project', () => {
  it('npx prune --help, then a real prune of a zoo model saved to files, from the installed tarball', () => {
    const project = join(scratch, 'consumer');
    const help = run('npx', ['--no-install', 'prune', '--help'], project);
    expect(help).toMatch(/^Usage: prune \[options\] <model>/);
    expect(help).toContain('--target <kind=value>');
    const model = join(scratch, 'mobilenet');
    const counted = JSON.parse(run(bin('tsx'), ['--conditions=@prune/source', join(import.meta.dirname, 'saveZooModel.ts'), 'mobilenetV2', model, '0.3'], root).trim().split('\n').pop()!) as { before: number; after: number };
    const out = join(scratch, 'mobilenet-pruned');
    const printed = run('npx', ['--no-install', 'prune', model, '--ratio', '0.3', '--quantize', 'float16', '-o', out, '--progress', 'none', '--latency-runs', '3'], project);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { totals: { params: { before: number; after: number } }; quantization: { dtype: string } };
    // The packed command prunes what @prune/core prunes from the sources, as the zoo's own formula counts it.
    expect(report.totals.params).toEqual(counted);
    expect(report.quantization.dtype).toBe('float16');
    expect(printed).toContain(`params   ${counted.before.toLocaleString('en-US')} → ${counted.after.toLocaleString('en-US')}`);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: { quantization?: { dtype: string } }[] }[] };
    expect(manifest.weightsManifest[0]!.paths).toEqual(['./weights.bin']);
    expect(manifest.weightsManifest[0]!.weights.every((w) => w.quantization?.dtype === 'float16')).toBe(true);
  });
});

describe('@prune/siamese/node in a consumer project', () => {
  // Training on replicas starts worker threads from the installed package's own files: in ESM and in CJS.
  const script = (load: string) => `
    ${load}
    (async () => {
      await selectBackend('wasm', { threads: 1 });
      const pairs = makePairs(subsetSplit((await loadMnist()).train, 0.02, 1), 192, 1);
      const model = createSiameseModel({ seed: 1 });
      const history = await trainSiameseParallel(model, pairs, { epochs: 2, threads: 2, seed: 1 });
      console.log(JSON.stringify({ replicas: history.replicas, losses: history.epochs.map((e) => e.loss) }));
    })();
  `;
  const esm = `import '@tensorflow/tfjs-backend-cpu';
    import { selectBackend } from '@prune/backend';
    import { makePairs, subsetSplit } from '@prune/mnist-pairs';
    import { loadMnist } from '@prune/mnist-pairs/node';
    import { createSiameseModel } from '@prune/siamese';
    import { trainSiameseParallel } from '@prune/siamese/node';`;
  const cjs = `require('@tensorflow/tfjs-backend-cpu');
    const { selectBackend } = require('@prune/backend');
    const { makePairs, subsetSplit } = require('@prune/mnist-pairs');
    const { loadMnist } = require('@prune/mnist-pairs/node');
    const { createSiameseModel } = require('@prune/siamese');
    const { trainSiameseParallel } = require('@prune/siamese/node');`;

  it('trains on two replicas of real MNIST pairs from ESM and from CJS, with the same losses', () => {
    const project = join(scratch, 'consumer');
    const [fromEsm, fromCjs] = ([['train.mjs', esm], ['train.cjs', cjs]] as const).map(([file, load]) => {
      writeFileSync(join(project, file), script(load));
      return JSON.parse(run('node', [file], project).trim().split('\n').pop()!) as { replicas: number; losses: number[] };
    });
    expect(fromEsm!.replicas).toBe(2);
    expect(fromEsm!.losses[1]).toBeLessThan(fromEsm!.losses[0]!);
    expect(fromEsm!.losses[0]).toBeCloseTo(Math.log(2), 1); // an untrained model starts near chance
    expect(fromCjs).toEqual(fromEsm); // a seed and a thread count give one result
  });
});

// The docs' own files, run in consumer projects exactly as Getting started and the tutorial tell a user to.
const tutorial = join(root, 'apps/docs/examples/tutorial');

/** Compiles one of the tutorial's files into `project` (as .mts, node16) and runs it with node. */
function runTutorialFile(project: string, file: string, args: string[]): string[] {
  const name = file.replace(/\.ts$/, '.mts');
  cpSync(join(tutorial, file), join(project, name));
  const config = {
    compilerOptions: { target: 'ES2022', module: 'Node16', moduleResolution: 'node16', strict: true, skipLibCheck: true,
      types: ['node'], outDir: 'out' },
    files: [name],
  };
  writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(config));
  run(bin('tsc'), ['-p', `tsconfig.${name}.json`], project);
  return run('node', [join('out', name.replace(/\.mts$/, '.mjs')), ...args], project).trim().split('\n');
}

describe('Getting started, on the tarballs', () => {
  let project: string;
  beforeAll(() => {
    // The inference-only install line of Getting started, verbatim but for the tarball folder.
    project = join(scratch, 'inference-only');
    run('mkdir', ['-p', project], scratch);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts',
      tarballs.get('@prune/core')!, tarballs.get('@prune/activations')!,
      '@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-layers@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0',
      '@types/node@20.19.8'], project);
    cpSync(join(tutorial, 'my-model'), join(project, 'my-model'), { recursive: true });
  });

  it('installs the inference set from the tarballs alone, and the first prune runs and saves files', () => {
    const installed = readdirSync(join(project, 'node_modules/@prune')).sort();
    expect(installed).toEqual(['activations', 'core']);
    const lines = runTutorialFile(project, 'firstPrune.ts', ['my-model/model.json', 'pruned']);
    expect(lines.join('\n')).toMatch(/before: 9098, after: \d+/);
    expect(readdirSync(join(project, 'pruned')).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it("fails to train on stock wasm with the error Getting started answers", () => {
    writeFileSync(join(project, 'fitOnWasm.mjs'), `
      import '@tensorflow/tfjs-backend-wasm';
      import * as tf from '@tensorflow/tfjs-core';
      import { loadLayersModel } from '@tensorflow/tfjs-layers';
      import { fileSystem } from '@prune/core/node';
      await tf.setBackend('wasm');
      const model = await loadLayersModel(fileSystem('my-model/model.json'));
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await model.fit(tf.zeros([2, 28, 28, 1]), tf.oneHot([1, 2], 10), { epochs: 1, verbose: 0 });
    `);
    expect(() => run('node', ['fitOnWasm.mjs'], project)).toThrow("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
  });
});

describe('the "prune your own model" tutorial, on the tarballs', () => {
  it('runs as shown, and a fresh process reloads the saved model with the same predictions', () => {
    const project = join(scratch, 'consumer');
    cpSync(join(tutorial, 'my-model'), join(project, 'my-model'), { recursive: true });
    const lines = runTutorialFile(project, 'pruneYourOwnModel.ts', ['my-model/model.json', 'pruned-tutorial']);
    const out = JSON.parse(lines.pop()!) as { after: number; params: { before: number; after: number }; probabilities: number[] };
    expect(out.params.before).toBe(9098);
    expect(out.params.after).toBeLessThan(out.params.before / 2);
    expect(out.after).toBeGreaterThan(0.9);
    const reloaded = JSON.parse(runTutorialFile(project, 'reloadPruned.ts', ['pruned-tutorial']).pop()!) as {
      accuracy: number; probabilities: number[];
    };
    expect(reloaded).toEqual({ accuracy: out.after, probabilities: out.probabilities });
  });
});
