// Takes the viewer guide's pictures from the published live report (public/report/), in Debian's Chromium: the
// top of the page on a laptop (headline and accuracy chart), the trade-off chart, the what-if section with its
// controls, and the top of the page on a phone. Fails if the page requests anything outside its own origin.
//   pnpm --filter @prune/docs exec tsx scripts/screenshotReport.ts
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const site = resolve(import.meta.dirname, '../docs/public/report');
const types: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png',
};
const server = createServer((req, res) => {
  const path = join(site, decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/\/$/, '/index.html'));
  try {
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const { port } = server.address() as { port: number };
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const origin = `http://127.0.0.1:${port}`;
const lab = resolve(import.meta.dirname, '../docs/public/lab');

/** Opens the report at a viewport, waits until what-if pruning is ready, and hands the page to `shoot`. */
async function withReport(viewport: { width: number; height: number }, shoot: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage({ viewport });
  const external: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith(origin)) external.push(r.url()); });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}/`);
  await page.waitForSelector('#whatif-result[data-state="ready"]', { state: 'attached', timeout: 180_000 });
  if (external.length > 0) throw new Error(`screenshotReport: the report requested outside its origin: ${external.join(', ')}`);
  await shoot(page);
  await page.close();
}

try {
  await withReport({ width: 1280, height: 1000 }, async (page) => {
    await page.screenshot({ path: join(lab, 'viewer.png') });
    await page.locator('#tradeoff').screenshot({ path: join(lab, 'viewer-tradeoff.png') });
    await page.locator('#what-if').screenshot({ path: join(lab, 'viewer-whatif.png') });
  });
  await withReport({ width: 375, height: 740 }, async (page) => { await page.screenshot({ path: join(lab, 'viewer-phone.png') }); });
  console.log(`wrote viewer.png, viewer-tradeoff.png, viewer-whatif.png and viewer-phone.png in ${lab}`);
} finally {
  await browser.close();
  server.close();
}
