import { createRequire } from 'node:module';
import { expect, test } from '@playwright/test';
import { readFixture } from './fixture';
import { expectAccuracy, openViewer, screenshotPath, whatIfResult } from './openViewer';

const fx = readFixture();
const run = fx.results.seedRuns[0]!;
const channels = fx.results.layer.channels;
const recomputeMs: number[] = [];

test.afterAll(() => {
  if (recomputeMs.length) console.log(`what-if recompute times (ms): ${recomputeMs.map((m) => m.toFixed(0)).join(', ')}`);
});

test('loads the run with no console error and no external request; chart, maps, ranking, cost and run render', async ({ page }) => {
  const watch = await openViewer(page, fx.url);
  await expect(page.locator('h1')).toHaveText(fx.results.runId);

  // Accuracy vs K: one line, point set and spread band per criterion (two seeds), values on hover.
  const chart = page.locator('#accuracy-chart svg');
  await expect(chart).toBeVisible();
  for (const criterion of fx.results.summary.map((s) => s.criterion)) await expect(chart.getByText(criterion, { exact: true })).toBeVisible();
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
  await expect(rows.first().locator('th')).toHaveText(String(run.criteria[0]!.order[0]! + 1));
  // Cost panels and the run's details.
  await expect(page.locator('#cost-chart svg')).toBeVisible();
  await expect(page.locator('#cost-chart svg').getByText(/^parameters/)).toBeVisible();
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
  await page.keyboard.press('Tab'); // the map grid's single tab stop: channel 1
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
  await expect(page.locator('table.ranking tbody tr').first().locator('th')).toHaveText(String(second.order[0]! + 1));

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
  const box = page.getByRole('checkbox', { name: `Channel ${channel! + 1} on` });
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
  await expect(page.locator('h1')).toHaveText(fx.results.runId);
  expectAccuracy(await whatIfResult(page, []), fx.expected.none!);
  expect(watch.errors).toEqual([]);
  expect(watch.external).toEqual([]);
  expect(watch.failed).toEqual([]);
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
