import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The "prune your own model" tutorial, run as a user runs it: its file in a fresh Node process, the pruned model
// reloaded in another one, and in a browser page served over HTTP.
const tutorial = resolve(import.meta.dirname, '../examples/tutorial');
const require = createRequire(import.meta.url);
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

interface TutorialOutput {
  before: number; after: number; params: { before: number; after: number };
  macs: { before: number; after: number; counted: number }; probabilities: number[];
}

/** Runs one of the tutorial's files with Node (through tsx, resolving the packages' sources); its last line is JSON. */
function runFile(file: string, args: string[]): { lines: string[]; json: unknown } {
  const out = execFileSync('pnpm', ['exec', 'tsx', '--conditions=@prune/source', join(tutorial, file), ...args],
    { cwd: tutorial, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = out.trim().split('\n');
  return { lines, json: JSON.parse(lines[lines.length - 1]!) };
}

let scratch: string;
let run: { lines: string[]; json: TutorialOutput };

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'prune-tutorial-'));
  const result = runFile('pruneYourOwnModel.ts', ['my-model/model.json', join(scratch, 'pruned')]);
  run = { lines: result.lines, json: result.json as TutorialOutput };
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tutorial: prune your own model', () => {
  it('prunes half of every prunable group in two fine-tuned steps and keeps a working classifier', () => {
    const { before, after, params, macs } = run.json;
    // The dry run's plan as printed: half of conv1 (8) and conv2 (16); the softmax head left alone.
    expect(run.lines).toContain('conv1: 8 channels, 4 to go');
    expect(run.lines).toContain('conv2: 16 channels, 8 to go');
    expect(run.lines.some((l) => l.startsWith('left alone: digit'))).toBe(true);
    // Before: conv1 8·(9+1), conv2 16·(8·9+1), digit 10·(7·7·16+1). After: conv1 4·(9+1) = 40,
    // conv2 8·(4·9+1) = 296, digit 10·(7·7·8+1) = 3930.
    expect(params).toEqual({ before: 80 + 1168 + 7850, after: 40 + 296 + 3930 });
    expect(macs.after).toBe(macs.counted);
    expect(macs.after).toBeLessThan(macs.before / 2);
    expect(before).toBeGreaterThan(0.9); // the committed model, on 2000 held-out digits
    expect(after).toBeGreaterThan(0.9); // fine-tuned after each step
    expect(readdirSync(join(scratch, 'pruned')).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('reloads in a fresh Node process with the same predictions', () => {
    const { json } = runFile('reloadPruned.ts', [join(scratch, 'pruned')]);
    const reloaded = json as { accuracy: number; probabilities: number[] };
    expect(reloaded.accuracy).toBe(run.json.after);
    expect(reloaded.probabilities).toEqual(run.json.probabilities);
  });

  describe('in a browser page', () => {
    let server: Server;
    let origin: string;
    beforeAll(async () => {
      const site = join(scratch, 'site');
      mkdirSync(join(site, 'tfjs'), { recursive: true });
      copyFileSync(join(tutorial, 'browser.html'), join(site, 'index.html'));
      cpSync(join(scratch, 'pruned'), join(site, 'pruned'), { recursive: true });
      for (const pkg of ['tfjs-core/dist/tf-core.min.js', 'tfjs-backend-cpu/dist/tf-backend-cpu.min.js', 'tfjs-layers/dist/tf-layers.min.js']) {
        const file = join(dirname(require.resolve(`@tensorflow/${pkg.split('/')[0]}/package.json`)), pkg.split('/').slice(1).join('/'));
        copyFileSync(file, join(site, 'tfjs', pkg.split('/').pop()!));
      }
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };
      server = createServer((req, res) => {
        const path = join(site, decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/\/$/, '/index.html'));
        try {
          const body = readFileSync(path);
          res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

    it('loads the saved files over HTTP and gives the Node predictions (cpu backend there, wasm in Node)', async () => {
      const split = subsetSplit((await loadMnist()).test, 0.2, 3); // the tutorial's test images
      const images = Array.from({ length: 20 }, (_, i) => Array.from(split.images.subarray(i * 784, (i + 1) * 784)));
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        await page.goto(`${origin}/`);
        await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('loaded'));
        expect(await page.textContent('#status')).toBe(`loaded: ${run.json.params.after} parameters`);
        const probs = await page.evaluate((x) => (window as unknown as { classify(x: number[][]): number[] }).classify(x), images);
        expect(probs).toHaveLength(run.json.probabilities.length);
        probs.forEach((p, i) => expect(Math.abs(p - run.json.probabilities[i]!)).toBeLessThan(1e-4));
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});
