import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docsRoot = resolve(import.meta.dirname, '..');
const port = 4180 + Math.floor(Math.random() * 500);
const origin = `http://127.0.0.1:${port}`;
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let server: ChildProcess;
let browser: Browser;

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`docs preview did not answer at ${url} within ${timeoutMs} ms`);
}

beforeAll(async () => {
  // vitepress build fails on a dead link in the markdown; the crawl below checks the built HTML too.
  execFileSync('pnpm', ['run', 'build'], { cwd: docsRoot, stdio: 'inherit' });
  server = spawn('pnpm', ['exec', 'vitepress', 'preview', 'docs', '--port', String(port), '--host', '127.0.0.1'],
    { cwd: docsRoot, stdio: 'ignore', detached: true });
  await waitForServer(origin, 30_000);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  if (server?.pid) process.kill(-server.pid);
});

describe('docs site', () => {
  it('serves the live report: the viewer against the published run, its chart drawn and what-if ready', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${origin}/report/`, { waitUntil: 'networkidle' });
    const results = JSON.parse(readFileSync(resolve(docsRoot, 'docs/public/report/results.json'), 'utf8')) as {
      runId: string; summary: { criterion: string }[];
    };
    await page.locator('h1', { hasText: results.runId }).waitFor();
    const chart = page.locator('#accuracy-chart svg');
    for (const { criterion } of results.summary) await chart.getByText(criterion, { exact: true }).waitFor();
    await page.waitForSelector('#whatif-result[data-state="ready"]', { state: 'attached', timeout: 180_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('has no broken internal link', async () => {
    const seen = new Set<string>(['/']);
    const queue = ['/'];
    const broken: string[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      const res = await fetch(origin + path);
      if (!res.ok) {
        broken.push(`${path} (${res.status})`);
        continue;
      }
      const html = await res.text();
      for (const [, href] of html.matchAll(/href="([^"#?]*)[^"]*"/g)) {
        if (!href || !href.startsWith('/') || href.startsWith('//') || /\.(css|js|svg|png|ico|woff2?)$/.test(href)) continue;
        if (!seen.has(href)) {
          seen.add(href);
          queue.push(href);
        }
      }
    }
    expect(broken).toEqual([]);
    // The crawl must have reached the guides, the concepts and the API reference.
    expect([...seen].some((p) => p.startsWith('/api/'))).toBe(true);
    expect([...seen].some((p) => p.startsWith('/concepts/'))).toBe(true);
    expect(seen.size).toBeGreaterThan(20);
  });

  it.each(['/', '/guide/getting-started', '/guide/prune-your-own-model', '/guide/supported-layers',
    '/concepts/criteria', '/concepts/fast-sweep', '/packages/core', '/api/'])(
    'renders %s with no console error and no external request', async (path) => {
      const page = await browser.newPage();
      const errors: string[] = [];
      const external: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith(origin)) external.push(r.url()); });
      page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
      await page.goto(origin + path, { waitUntil: 'networkidle' });
      await expect(page.locator('h1').first().textContent()).resolves.toBeTruthy();
      // Every image the page shows loaded (a figure that 404s or fails to decode has no natural width).
      const broken = await page.locator('main img').evaluateAll((imgs) =>
        imgs.filter((i) => !(i as HTMLImageElement).complete || (i as HTMLImageElement).naturalWidth === 0)
          .map((i) => (i as HTMLImageElement).src));
      expect(broken).toEqual([]);
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
      await page.close();
    });
});
