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

/** Every page (HTML) reachable from the home page by internal links, and the links that answered with an error. */
async function crawlSite(): Promise<{ pages: string[]; broken: string[] }> {
  const seen = new Set<string>(['/']);
  const queue = ['/'];
  const broken: string[] = [];
  const pages: string[] = [];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const res = await fetch(origin + path);
    if (!res.ok) {
      broken.push(`${path} (${res.status})`);
      continue;
    }
    if (!res.headers.get('content-type')?.startsWith('text/html')) continue; // a download (CSV, JSON) or an asset
    pages.push(path);
    const html = await res.text();
    for (const [, href] of html.matchAll(/href="([^"#?]*)[^"]*"/g)) {
      if (!href || !href.startsWith('/') || href.startsWith('//') || /\.(css|js|svg|png|ico|woff2?)$/.test(href)) continue;
      if (!seen.has(href)) {
        seen.add(href);
        queue.push(href);
      }
    }
  }
  return { pages, broken };
}

let site: { pages: string[]; broken: string[] };

beforeAll(async () => {
  // vitepress build fails on a dead link in the markdown; the crawl below checks the built HTML too.
  execFileSync('pnpm', ['run', 'build'], { cwd: docsRoot, stdio: 'inherit' });
  server = spawn('pnpm', ['exec', 'vitepress', 'preview', 'docs', '--port', String(port), '--host', '127.0.0.1'],
    { cwd: docsRoot, stdio: 'ignore', detached: true });
  await waitForServer(origin, 30_000);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  site = await crawlSite();
});

afterAll(async () => {
  await browser?.close();
  if (server?.pid) process.kill(-server.pid);
});

describe('docs site', () => {
  it('serves the live report: the published run\'s headline, accuracy and trade-off charts, what-if controls ready, nothing from elsewhere, no local path', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    const localPaths: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => { if (!r.url().startsWith(origin)) external.push(r.url()); });
    page.on('response', async (r) => {
      const { pathname } = new URL(r.url());
      if (!pathname.startsWith('/report/') || !/\.(json|csv|html|js)$|\/$/.test(pathname)) return;
      const found = /(?:\/tmp\/|\/work\/|\/home\/|\/root\/|[A-Z]:\\\\)[\w.-]+/.exec(await r.text().catch(() => ''));
      if (found) localPaths.push(`${r.url()}: ${found[0]}`);
    });
    // Opened as a reader opens it, from the viewer guide's link (a link the docs' router took would show its 404).
    await page.goto(`${origin}/guide/viewer`, { waitUntil: 'networkidle' });
    await page.locator('main a[href="/report/"]').first().click();
    await page.waitForURL(`${origin}/report/`);
    await page.waitForLoadState('networkidle');
    const results = JSON.parse(readFileSync(resolve(docsRoot, 'docs/public/report/results.json'), 'utf8')) as {
      runId: string; summary: { label: string }[]; layer: { channels: number };
    };
    await expect(page.locator('#headline').textContent()).resolves.toMatch(/^Pruning \d+ of \d+ /);
    await page.getByText(`run report · ${results.runId}`).waitFor();
    const chart = page.locator('#accuracy-chart svg');
    for (const { label } of results.summary) await chart.getByText(label, { exact: true }).waitFor();
    await page.locator('#tradeoff-chart svg').getByText('parameters (% of unpruned)').waitFor();
    await page.waitForSelector('#whatif-result[data-state="ready"]', { state: 'attached', timeout: 180_000 });
    await expect(page.locator('#k').getAttribute('max')).resolves.toBe(String(results.layer.channels - 1));
    expect(await page.locator('#criterion option').count()).toBe(results.summary.length);
    await page.locator('#downloads a[href$="results.json"]').waitFor();
    // On a phone, the report does not scroll sideways.
    await page.setViewportSize({ width: 375, height: 667 });
    await expect(page.evaluate(() => document.scrollingElement!.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    expect(localPaths).toEqual([]);
    await page.close();
  });

  it('has no broken internal link', () => {
    expect(site.broken).toEqual([]);
    // The crawl must have reached the guides, the concepts and the API reference.
    expect(site.pages.some((p) => p.startsWith('/api/'))).toBe(true);
    expect(site.pages.some((p) => p.startsWith('/concepts/'))).toBe(true);
    expect(site.pages.length).toBeGreaterThan(20);
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

// What "fits" means, at a phone's and a laptop's viewport:
// - the page never scrolls sideways (the document is no wider than the window);
// - every element of a page's article lies inside the article's column (with the column's side padding), unless a
//   box inside it scrolls or clips it (a code block or table wider than the column must scroll on its own);
// - on the laptop, code blocks need no scrolling at all: every line shows (the docs keep code lines within 90
//   columns for that, scripts/codeBlocks.test.ts), except code the API reference copies from outside the packages.
const viewports = [
  { name: 'phone', width: 375, height: 667, codeScrolls: true },
  { name: 'laptop', width: 1280, height: 800, codeScrolls: false },
];

/**
 * Runs in the page: what does not fit, each as `<what>: <why>`. (No helper functions inside: the test's
 * transpiler would wrap them in a helper the page does not have.)
 */
function misfits(codeScrolls: boolean): string[] {
  const out: string[] = [];
  const root = document.scrollingElement!;
  if (root.scrollWidth > root.clientWidth + 1) out.push(`page: ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
  const column = document.querySelector('.vp-doc');
  if (!column) return out;
  // The column with its side padding (header anchors hang there, and on a phone code blocks run to the screen's
  // edges): the first box around the article that is wider than it.
  let outer: Element = column;
  while (outer.parentElement && outer.getBoundingClientRect().width <= column.getBoundingClientRect().width + 1) outer = outer.parentElement;
  const edge = outer.getBoundingClientRect();
  const wide: Element[] = [];
  for (const e of Array.from(column.querySelectorAll('*'))) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || (box.right <= edge.right + 1 && box.left >= edge.left - 1)) continue;
    // Inside a box that scrolls or clips sideways, an element is that box's business, not the column's.
    let clipped = false;
    for (let a = e.parentElement; a && a !== column && !clipped; a = a.parentElement) clipped = getComputedStyle(a).overflowX !== 'visible';
    if (!clipped) wide.push(e);
  }
  const problems: [Element, string][] = wide.map((e) => {
    const box = e.getBoundingClientRect();
    return [e, `spans ${Math.round(box.left)}…${Math.round(box.right)} px, the column ${Math.round(edge.left)}…${Math.round(edge.right)} px`];
  });
  if (!codeScrolls) {
    for (const pre of Array.from(column.querySelectorAll('div[class*="language-"] pre'))) {
      if (pre.scrollWidth <= pre.clientWidth + 1) continue;
      // The API reference copies the comments of members inherited from outside the packages (Error's
      // captureStackTrace, from Node's types: "Inherited from" names them without a link); that code is not the
      // docs' to wrap, and scrolls in its own box.
      let external = false;
      for (let s = pre.parentElement?.nextElementSibling; s && !['H2', 'H3', 'HR'].includes(s.tagName); s = s.nextElementSibling) {
        if (s.tagName === 'H4' && s.textContent?.startsWith('Inherited from')) external = !s.nextElementSibling?.querySelector('a');
      }
      if (!external) problems.push([pre, `its lines need ${pre.scrollWidth} px, the block is ${pre.clientWidth} px`]);
    }
  }
  for (const [e, why] of problems) {
    const text = (e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
    out.push(`<${e.tagName.toLowerCase()} class="${e.getAttribute('class') ?? ''}"> "${text}": ${why}`);
  }
  return out;
}

describe.each(viewports)('at $name width ($width×$height)', ({ width, height, codeScrolls }) => {
  it('every page fits: no sideways scroll, code blocks and tables inside the column', async () => {
    // Scripts off: every page is rendered on the server, and hydration keeps that layout; loading 300-odd pages
    // without running the app takes a fraction of the time. (The live report, which scripts draw, is checked at a
    // phone's width in its own test.)
    const page = await browser.newPage({ viewport: { width, height }, javaScriptEnabled: false });
    const problems: string[] = [];
    for (const path of site.pages) {
      await page.goto(origin + path, { waitUntil: 'load' });
      for (const p of await page.evaluate(misfits, codeScrolls)) problems.push(`${path}: ${p}`);
    }
    await page.close();
    expect(problems).toEqual([]);
  }, 600_000);
});
