import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Download } from '@playwright/test';
import { VIEWER_ROOT } from '../src/viewerDist';
import { runCommand } from './runCommand';
import { readFixture } from './fixture';
import { expectAccuracy, openViewer, screenshotPath, whatIfResult } from './openViewer';

const fx = readFixture();
const run = fx.results.seedRuns[0]!;
const channels = fx.results.layer.channels;
const recomputeMs: number[] = [];

test.afterAll(() => {
  if (recomputeMs.length) console.log(`what-if recompute times (ms): ${recomputeMs.map((m) => m.toFixed(0)).join(', ')}`);
});

/** The headline's K, computed here from results.json: the largest K within one point of the unpruned accuracy. */
function headlineK(): number {
  const mean = fx.results.summary[0]!.mean;
  let k = 0;
  mean.forEach((a, i) => {
    if (a >= mean[0]! - 0.01 - 1e-12) k = i;
  });
  return k;
}
const pct = (after: number, before: number): string => {
  const saved = (before - after) / before;
  return `${(saved * 100).toFixed(saved < 0.1 ? 1 : 0)}%`;
};

test('loads the run with no console error and no external request; headline, charts, maps, ranking, cost and run render', async ({ page }) => {
  const watch = await openViewer(page, fx.url);
  // The headline: K by the stated rule, its costs and accuracy as results.json has them.
  const k = headlineK();
  const costs = fx.results.costs;
  const mean = fx.results.summary[0]!.mean;
  const h1 = page.locator('h1');
  await expect(h1).toContainText(`Pruning ${k} of ${channels} ${fx.results.layer.name} channels by ${fx.results.summary[0]!.label}`);
  await expect(h1).toContainText(`${pct(costs[k]!.params, costs[0]!.params)} of the parameters`);
  await expect(h1).toContainText(`${pct(costs[k]!.macs, costs[0]!.macs)} of the MACs`);
  await expect(h1).toContainText(`${((mean[0]! - mean[k]!) * 100).toFixed(2)} points of accuracy`);
  await expect(h1).toContainText(`(${mean[0]!.toFixed(4)} → ${mean[k]!.toFixed(4)})`);
  await expect(page.locator('.headline-rule')).toContainText('within 1 point');
  if (run.controls?.random) await expect(page.locator('.headline-verdict')).toContainText('random');

  // Accuracy vs K: one line, point set and spread band per criterion (two seeds), values on hover.
  const chart = page.locator('#accuracy-chart svg');
  await expect(chart).toBeVisible();
  for (const label of fx.results.summary.map((s) => s.label)) await expect(chart.getByText(label, { exact: true })).toBeVisible();
  if (fx.results.seedRuns.length > 1) expect(await chart.locator('.mark-area path').count()).toBeGreaterThanOrEqual(fx.results.summary.length);
  expect(await chart.locator('.mark-line path').count()).toBeGreaterThanOrEqual(fx.results.summary.length);
  const point = chart.locator('.mark-symbol path').nth(3);
  await point.hover({ force: true });
  await expect(page.locator('.chart-tooltip')).toBeVisible();
  await expect(page.locator('.chart-tooltip')).toContainText('accuracy');

  // The 32 maps: each canvas holds the channel's mean map, min-max normalised, as results.json has it.
  await expect(page.locator('.map canvas')).toHaveCount(channels);
  const drawn = await page.locator('.map canvas').evaluateAll((canvases) =>
    canvases.map((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      return Array.from({ length: canvas.width * canvas.height }, (_, i) => data[4 * i]!);
    }),
  );
  const [, h, w] = run.stats.mapShape;
  drawn.forEach((gray, c) => {
    const values = run.stats.meanMap.slice(c * h * w, (c + 1) * h * w);
    const min = Math.min(...values);
    const span = Math.max(...values) - min;
    const expected = values.map((v) => Math.round(span > 0 ? ((v - min) / span) * 255 : 0));
    expect(gray).toHaveLength(h * w);
    expect(Math.max(...gray.map((g, i) => Math.abs(g - expected[i]!)))).toBeLessThanOrEqual(1);
  });

  // Ranking: every channel once, in the mean criterion's prune order.
  const rows = page.locator('table.ranking tbody tr');
  await expect(rows).toHaveCount(channels);
  await expect(rows.first().locator('th')).toHaveText(String(run.criteria[0]!.order[0]!));
  await expect(page.locator('table.ranking caption')).toContainText('numbered from 0, as in results.json');
  // Cost panels (latency at the stated batch, from 0 ms), the trade-off chart and the run's details.
  await expect(page.locator('#cost-chart svg')).toBeVisible();
  await expect(page.locator('#cost-chart svg').getByText(/^parameters/)).toBeVisible();
  if (fx.results.latency) await expect(page.locator('#cost-chart svg').getByText(`latency per batch of ${fx.results.latency.batch} pairs (ms, median)`)).toBeVisible();
  await expect(page.locator('#tradeoff-chart svg').getByText('parameters (% of unpruned)')).toBeVisible();
  await expect(page.locator('#tradeoff-chart svg').getByText('MACs per pair (% of unpruned)')).toBeVisible();
  // The legend holds curves, titled so; the lab's points are named as what they are.
  await expect(chart.getByText('curve', { exact: true })).toBeVisible();
  await expect(chart.getByText('criterion', { exact: true })).toHaveCount(0);
  if (run.controls?.oracle) await expect(chart.getByText('greedy oracle (test pairs)')).toBeVisible();
  // No local path anywhere in the Run section.
  expect(await page.locator('#run').textContent()).not.toMatch(/\/(home|tmp|work|root|Users)\//);
  await expect(page.locator('#run')).toContainText(fx.results.backend.name);
  await expect(page.locator('#run table.timings tbody tr')).toHaveCount(Object.keys(fx.results.timings).length);

  expect(watch.errors).toEqual([]);
  expect(watch.external).toEqual([]);
  expect(watch.failed).toEqual([]);
  await page.screenshot({ path: screenshotPath('desktop-initial.png'), fullPage: true });
});

test('the oracle tells the test masks apart (so that matching it means something)', () => {
  const values = ['none', 'strongest', 'secondK5', 'keyboardBoth'].map((name) => fx.expected[name]);
  expect(new Set(values).size).toBeGreaterThanOrEqual(3);
  expect(fx.expected.strongest).not.toBe(fx.expected.none);
});

test('what-if starts at the unpruned accuracy, equal to the run and to @prune/core', async ({ page }) => {
  await openViewer(page, fx.url);
  const shown = await whatIfResult(page, []);
  expectAccuracy(shown, fx.expected.none!);
  expectAccuracy(shown, run.test.accuracy);
  await expect(page.locator('.whatif-sweep')).toContainText('(same)');
});

test("switching a channel off by clicking its map shows @prune/core's accuracy for that mask", async ({ page }) => {
  await openViewer(page, fx.url);
  const [channel] = fx.masks.strongest!;
  const map = page.locator(`.map[data-channel="${channel}"]`);
  await expect(map).toHaveAttribute('aria-checked', 'true');
  await map.click();
  await expect(map).toHaveAttribute('aria-checked', 'false');
  const shown = await whatIfResult(page, fx.masks.strongest!);
  expectAccuracy(shown, fx.expected.strongest!);
  recomputeMs.push(shown.ms);
  await expect(page.locator('#whatif-timing')).toContainText(/Recomputed in \d+ ms/);
  await map.click();
  expectAccuracy(await whatIfResult(page, []), fx.expected.none!);
});

test('keyboard: Tab reaches the maps, arrows move between them, Space and Enter switch channels', async ({ page }) => {
  await openViewer(page, fx.url);
  await page.locator('#k').focus();
  await page.keyboard.press('Tab'); // "All channels on"
  await page.keyboard.press('Tab'); // "Download the pruned model"
  await page.keyboard.press('Tab'); // the map grid's single tab stop: channel 0
  await expect(page.locator('.map[data-channel="0"]')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('.map[data-channel="2"]')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.locator('.map[data-channel="2"]')).toHaveAttribute('aria-checked', 'false');
  expectAccuracy(await whatIfResult(page, fx.masks.keyboardFirst!), fx.expected.keyboardFirst!);
  await page.keyboard.press('ArrowDown'); // 8 maps per row on a desktop
  await expect(page.locator('.map[data-channel="10"]')).toBeFocused();
  await page.keyboard.press('Enter');
  const both = await whatIfResult(page, fx.masks.keyboardBoth!);
  expectAccuracy(both, fx.expected.keyboardBoth!);
  recomputeMs.push(both.ms);
  await page.keyboard.press('Space');
  expectAccuracy(await whatIfResult(page, fx.masks.keyboardFirst!), fx.expected.keyboardFirst!);
  // Leaving and re-entering the grid returns to the last focused map (roving tab stop).
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(page.locator('.map[data-channel="10"]')).toBeFocused();
});

test("criterion and K: the K weakest channels give the run's sweep value and @prune/core's", async ({ page }) => {
  await openViewer(page, fx.url);
  const second = run.criteria[1]!;
  await page.locator('#criterion').selectOption({ label: second.criterion });
  await page.locator('#k').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect(page.locator('#k-value')).toHaveText('5');
  const shown = await whatIfResult(page, fx.masks.secondK5!);
  expectAccuracy(shown, fx.expected.secondK5!);
  expectAccuracy(shown, second.accuracy[5]!);
  recomputeMs.push(shown.ms);
  await expect(page.locator('.whatif-sweep')).toContainText(`K = 5 by ${second.criterion}`);
  for (const c of fx.masks.secondK5!) await expect(page.locator(`.map[data-channel="${c}"]`)).toHaveAttribute('aria-checked', 'false');
  // The ranking follows the chosen criterion.
  await expect(page.locator('table.ranking tbody tr').first().locator('th')).toHaveText(String(second.order[0]!));
  // The mask's cost, as results.json has it for K = 5, and the view in the URL.
  await expect(page.locator('#whatif-cost')).toHaveAttribute('data-params', String(fx.results.costs[5]!.params));
  await expect(page.locator('#whatif-cost')).toHaveAttribute('data-macs', String(fx.results.costs[5]!.macs));
  await expect(page).toHaveURL(new RegExp(`criterion=${second.criterion}&k=5`));
  await expect(page.locator('h1')).toContainText(`Pruning 5 of ${channels}`);

  // One more channel by hand: a custom mask, no longer one of the sweep's models.
  const [strongest] = fx.masks.strongest!;
  if (!fx.masks.secondK5!.includes(strongest!)) {
    await page.locator(`.map[data-channel="${strongest}"]`).click();
    expectAccuracy(await whatIfResult(page, fx.masks.secondK5PlusStrongest!), fx.expected.secondK5PlusStrongest!);
    await expect(page.locator('.whatif-sweep')).toContainText('custom mask');
  }
  await page.screenshot({ path: screenshotPath('desktop-whatif.png'), fullPage: true });
  await page.getByRole('button', { name: 'All channels on' }).click();
  expectAccuracy(await whatIfResult(page, []), fx.expected.none!);
  await expect(page.locator('#k-value')).toHaveText('0');
});

test("the ranking table's switches toggle channels as the maps do", async ({ page }) => {
  await openViewer(page, fx.url);
  const [channel] = fx.masks.tableRank1!;
  const box = page.getByRole('checkbox', { name: `Channel ${channel!} on` });
  await box.uncheck();
  expectAccuracy(await whatIfResult(page, fx.masks.tableRank1!), fx.expected.tableRank1!);
  await expect(page.locator(`.map[data-channel="${channel}"]`)).toHaveAttribute('aria-checked', 'false');
});

test('the cpu backend, computing the features from the test images, gives the same accuracies', async ({ page }) => {
  const watch = await openViewer(page, `${fx.url}?backend=cpu&features=0`);
  await expect(page.locator('#whatif-timing')).toContainText('on cpu');
  await expect(page.locator('#whatif-timing')).toContainText('features from the test images');
  expectAccuracy(await whatIfResult(page, []), fx.expected.none!);
  await page.locator(`.map[data-channel="${fx.masks.strongest![0]}"]`).click();
  expectAccuracy(await whatIfResult(page, fx.masks.strongest!), fx.expected.strongest!);
  expect(watch.errors).toEqual([]);
});

test('the run folder with the viewer copied in works as plain static files', async ({ page }) => {
  const watch = await openViewer(page, fx.staticUrl);
  await expect(page.locator('h1')).toContainText(`Pruning ${headlineK()} of ${channels}`);
  expectAccuracy(await whatIfResult(page, []), fx.expected.none!);
  expect(watch.errors).toEqual([]);
  expect(watch.external).toEqual([]);
  expect(watch.failed).toEqual([]);
});

test('a link reproduces the view: criterion and K, or a custom mask, from the URL', async ({ page }) => {
  const second = run.criteria[1]!;
  await openViewer(page, `${fx.url}?criterion=${second.criterion}&k=5`);
  expectAccuracy(await whatIfResult(page, fx.masks.secondK5!), fx.expected.secondK5!);
  await expect(page.locator('#criterion')).toHaveValue('1');
  await expect(page.locator('#k-value')).toHaveText('5');
  await openViewer(page, `${fx.url}?off=${fx.masks.keyboardBoth!.join(',')}`);
  expectAccuracy(await whatIfResult(page, fx.masks.keyboardBoth!), fx.expected.keyboardBoth!);
  await expect(page).toHaveURL(/off=2%2C10|off=2,10/);
});

test('downloads: the run folder’s figures, CSVs and results.json are linked, and each link serves the file', async ({ page, request }) => {
  await openViewer(page, fx.url);
  const list = page.locator('ul.downloads');
  for (const name of ['results.json', 'accuracy_vs_k.csv', 'costs.csv', 'accuracy_vs_k.svg', 'accuracy_vs_k.png', 'tradeoff.svg']) {
    const link = list.getByRole('link', { name, exact: true });
    await expect(link).toHaveAttribute('download', name);
    const response = await request.get((await link.getAttribute('href'))!);
    expect(response.ok()).toBe(true);
    expect((await response.body()).equals(readFileSync(join(fx.runDir, name)))).toBe(true);
  }
});

test('export: the pruned model of the current mask downloads, and loaded in Node it gives the accuracy the page showed', async ({ page }) => {
  await openViewer(page, fx.url);
  const second = run.criteria[1]!;
  await page.locator('#criterion').selectOption({ label: second.criterion });
  await page.locator('#k').fill('5');
  await page.locator('#k').dispatchEvent('input');
  const shown = await whatIfResult(page, fx.masks.secondK5!);
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByRole('button', { name: 'Download the pruned model' }).click();
  await expect(page.locator('#export-status')).toContainText('the same as the what-if value');
  await expect.poll(() => downloads.length).toBe(2);
  const dir = mkdtempSync(join(tmpdir(), 'prune-export-'));
  try {
    const names = downloads.map((d) => d.suggestedFilename()).sort();
    expect(names).toEqual([`pruned-${second.criterion}-k5.json`, `pruned-${second.criterion}-k5.weights.bin`]);
    const stem = `pruned-${second.criterion}-k5`;
    // As a user would keep them: the JSON as the folder's model.json, the weights under the name its manifest gives.
    for (const d of downloads) await d.saveAs(join(dir, d.suggestedFilename().endsWith('.json') ? 'model.json' : d.suggestedFilename()));
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology: unknown; weightsManifest: Array<{ paths: string[] }> };
    expect(model.weightsManifest[0]!.paths).toEqual([`./${stem}.weights.bin`]);
    expect(JSON.stringify(model.modelTopology)).toContain(`"filters":${channels - 5}`);
    writeFileSync(join(dir, 'masks.json'), JSON.stringify({ exported: dir }));
    await runCommand(join(VIEWER_ROOT, 'node_modules', '.bin', 'tsx'), ['--conditions=@prune/source', 'e2e/expectedAccuracies.ts', fx.runDir, join(dir, 'masks.json'), join(dir, 'out.json')], { cwd: VIEWER_ROOT, label: 'exported' });
    const node = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { exported: number };
    expectAccuracy(shown, node.exported);
    expect(Number(await page.locator('#export-status').getAttribute('data-accuracy'))).toBeCloseTo(node.exported, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('axe finds no accessibility violation (labels, roles, contrast, keyboard)', async ({ page }) => {
  await openViewer(page, fx.url);
  await page.locator(`.map[data-channel="${fx.masks.strongest![0]}"]`).click();
  await whatIfResult(page, fx.masks.strongest!);
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  expect(violations).toEqual([]);
});
