// The prune command end to end on a MobileNetV2 1.0 224×224 (the zoo's MOBILENET_V2_FULL, 3,538,984 params, seeded
// weights) saved to files: wall time and peak RSS of the whole process (one Node process: sources through tsx),
// for a ratio, a params target, and calibration images with a data criterion, fine-tuning and uint8 weights,
// against the anchor of the same command with --ratio 0 (load, measure, write: everything but the pruning).
// Peak RSS is the process's VmHWM read from /proc while it runs. Timings depend on the load of the (shared)
// machine: the load average is printed at the start and the end.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { setBackend } from '@tensorflow/tfjs-core';
import pngjs from 'pngjs';
import { modelArtifacts } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import { MOBILENET_V2_FULL, ZOO } from '@prune/test-zoo';

const root = resolve(import.meta.dirname, '..');
const load = (): string => `${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`;
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

function peakKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs the command in one Node process; wall seconds, peak RSS in kB, and its stdout. */
function prune(args: string[]): Promise<{ seconds: number; peakKb: number; stdout: string }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--conditions=@prune/source', '--import', 'tsx', 'src/cli.ts', ...args, '--progress', 'lines'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let stdout = '';
    let stderr = '';
    const poll = setInterval(() => (peak = Math.max(peak, peakKb(child.pid!))), 50);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) fail(new Error(`prune ${args.join(' ')} exited ${code}:\n${stderr}`));
      else done({ seconds: (performance.now() - started) / 1000, peakKb: peak, stdout });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'prune-bench-'));
try {
  console.log(`load average at start: ${load()}`);
  await setBackend('cpu');
  const model = ZOO.mobilenetV2.build({ ...MOBILENET_V2_FULL, seed: 1 });
  const dir = join(work, 'mobilenet_v2');
  await fileSystem(dir).save!(await modelArtifacts(model));
  model.dispose();
  // 64 calibration images, 8 classes, 224×224 PNGs of seeded noise.
  const images = join(work, 'images');
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 64; i++) {
    const png = new pngjs.PNG({ width: 224, height: 224 });
    for (let p = 0; p < png.data.length; p++) png.data[p] = p % 4 === 3 ? 255 : (rand() * 256) | 0;
    mkdirSync(join(images, String(i % 8)), { recursive: true });
    writeFileSync(join(images, String(i % 8), `${i}.png`), pngjs.PNG.sync.write(png));
  }
  const common = ['--backend', 'wasm', '--latency-runs', '5'];
  const runs: [string, string[]][] = [
    ['anchor: --ratio 0 (load, measure, write)', [dir, '--ratio', '0', '-o', join(work, 'r0'), ...common]],
    ['--ratio 0.3 (uniform, l1-norm)', [dir, '--ratio', '0.3', '-o', join(work, 'r30'), ...common]],
    ['--target params=50% (l1-norm)', [dir, '--target', 'params=50%', '-o', join(work, 't50'), ...common]],
    ['64 images, mean-activation, --ratio 0.3, 1 fine-tune epoch, uint8', [dir, '--ratio', '0.3', '-c', 'mean-activation', '-d', images, '--scale', '1/127.5', '--mean', '1', '--fine-tune-epochs', '1', '--batch-size', '16', '-q', 'uint8', '-o', join(work, 'data'), ...common]],
  ];
  const rows: string[][] = [];
  let anchor = 0;
  for (const [label, args] of runs) {
    const r = await prune(args);
    if (anchor === 0) anchor = r.seconds;
    const params = /^params\s+(.*)$/m.exec(r.stdout)?.[1] ?? '';
    const latency = /^latency\s+(.*?) \(/m.exec(r.stdout)?.[1] ?? '';
    rows.push([label, `${r.seconds.toFixed(1)} s`, `${(r.seconds / anchor).toFixed(2)}×`, mib(r.peakKb), params, latency]);
    console.log(`${label}: ${r.seconds.toFixed(1)} s, peak RSS ${mib(r.peakKb)}`);
  }
  const header = ['run', 'wall', 'vs anchor', 'peak RSS', 'params', 'latency (median, batch 1, wasm)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(['', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  console.log(`\nload average at end: ${load()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
