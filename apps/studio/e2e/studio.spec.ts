import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const url = process.env.PRUNE_STUDIO_URL!;
const fixtures = process.env.PRUNE_STUDIO_FIXTURES!;
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as {
  classes: number; groups: number; refused: number; params: number; accuracy: number;
  uniform30: { params: number; macs: number; accuracy: number }; global50: { params: number; macs: number };
  params50: { params: number; ratio: number }; sensitivity: Record<string, number[]>;
  others: Record<string, { groups: number; params: number; macs: number }>;
};

/** Opens the page with every request to another origin aborted and recorded: nothing may leave the browser. */
async function open(page: Page): Promise<{ external: string[]; errors: string[] }> {
  const watch = { external: [] as string[], errors: [] as string[] };
  const origin = new URL(url).origin;
  page.on('pageerror', (e) => watch.errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && watch.errors.push(m.text()));
  await page.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith('data:') || target.startsWith('blob:') || new URL(target).origin === origin) return route.continue();
    watch.external.push(target);
    return route.abort('blockedbyclient');
  });
  await page.goto(url);
  return watch;
}

async function setAmount(page: Page, mode: string, percent: number): Promise<void> {
  await page.selectOption('#mode', mode);
  await page.locator('#amount').fill(String(percent));
  await expect(page.locator('#result')).toHaveAttribute('data-amount', String(percent / 100));
  await expect(page.locator('#result')).toHaveAttribute('data-mode', mode);
  await expect(page.locator('#result')).toHaveAttribute('data-state', 'ready');
}

test('drop a model and labelled images: groups, sensitivity, ratio and target sliders, quantized download', async ({ page }) => {
  const watch = await open(page);
  await page.fill('#mean', '0.5');
  await page.fill('#std', '0.25');
  await page.setInputFiles('#model-files', [join(fixtures, 'model/model.json'), join(fixtures, 'model/weights.bin')]);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'ready');
  await page.setInputFiles('#image-files', join(fixtures, 'images'));
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('#status')).toContainText(`12 images in ${expected.classes} classes`);
  expect(expected.accuracy).toBe(0.5);
  await expect(page.locator('#groups tbody tr')).toHaveCount(expected.groups);
  await expect(page.locator('#groups-summary')).toContainText(`${expected.params.toLocaleString('en-US')} params`);
  // Accuracy before pruning, as @prune/core computes it in Node on the same images.
  await expect(page.locator('#result')).toHaveAttribute('data-state', 'ready');
  expect(Number(await page.locator('#result').getAttribute('data-accuracy'))).toBeCloseTo(expected.accuracy, 9);

  await setAmount(page, 'uniform', 30);
  expect(Number(await page.locator('#result').getAttribute('data-params'))).toBe(expected.uniform30.params);
  expect(Number(await page.locator('#result').getAttribute('data-macs'))).toBe(expected.uniform30.macs);
  expect(Number(await page.locator('#result').getAttribute('data-accuracy'))).toBeCloseTo(expected.uniform30.accuracy, 9);
  expect(Number(await page.locator('#result').getAttribute('data-latency'))).toBeGreaterThan(0);
  await setAmount(page, 'global', 50);
  expect(Number(await page.locator('#result').getAttribute('data-params'))).toBe(expected.global50.params);
  expect(Number(await page.locator('#result').getAttribute('data-macs'))).toBe(expected.global50.macs);
  await setAmount(page, 'params', 50);
  expect(Number(await page.locator('#result').getAttribute('data-params'))).toBe(expected.params50.params);
  expect(expected.params50.params).toBeLessThanOrEqual(expected.params * 0.5);

  await page.click('#sensitivity-button');
  await expect(page.locator('#groups')).toHaveAttribute('data-sensitivity', 'ready');
  const [group, metrics] = Object.entries(expected.sensitivity)[0]!;
  const cells = page.locator(`#groups tr[data-group="${group}"] td.num`);
  await expect(cells).toHaveCount(2 + metrics.length);
  for (const [i, m] of metrics.entries()) await expect(cells.nth(2 + i)).toHaveText(m.toFixed(4));

  // uint8 weights: a quarter of the float32 bytes, and the model downloads as model.json + model.weights.bin.
  await page.selectOption('#quantize', 'uint8');
  await expect(page.locator('#size')).toHaveAttribute('data-accuracy', /\d/);
  const after = Number(await page.locator('#size').getAttribute('data-after'));
  expect(Number(await page.locator('#size').getAttribute('data-before'))).toBe(statSync(join(fixtures, 'model/model.json')).size + statSync(join(fixtures, 'model/weights.bin')).size);
  const out = join(test.info().outputDir, 'download');
  mkdirSync(out, { recursive: true });
  const saving: Promise<string>[] = [];
  page.on('download', (download) => saving.push(download.saveAs(join(out, download.suggestedFilename())).then(() => download.suggestedFilename())));
  await page.click('#download');
  await expect(page.locator('#download')).toHaveAttribute('data-done', 'true');
  await expect.poll(() => saving.length).toBe(2);
  const files = await Promise.all(saving);
  expect(files.sort()).toEqual(['model.json', 'model.weights.bin']);
  const written = statSync(join(out, 'model.json')).size + statSync(join(out, 'model.weights.bin')).size;
  expect(Math.abs(written - after)).toBeLessThan(0.02 * after); // the shown size is tfjs's count of the same artifacts
  const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
  const loaded = JSON.parse(execFileSync(tsx, ['--conditions=@prune/source', 'e2e/checkDownload.ts', out], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' }).trim()) as { params: number; dtypes: string[] };
  expect(loaded.params).toBe(expected.params50.params);
  expect(loaded.dtypes).toEqual(['uint8']);
  await page.screenshot({ path: join(test.info().outputDir, 'studio.png'), fullPage: true });
  expect(watch.external).toEqual([]);
  expect(watch.errors).toEqual([]);
});

test('clear errors: a graph model, a missing shard', async ({ page }) => {
  await open(page);
  await page.setInputFiles('#model-files', [join(fixtures, 'graph/model.json')]);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'error');
  await expect(page.locator('#status')).toContainText('is a tfjs graph model, which has no layers to prune; convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model');
  await page.setInputFiles('#model-files', [join(fixtures, 'model/model.json')]);
  await expect(page.locator('#status')).toContainText("model.json lists weight file(s) 'weights.bin' that were not dropped; drop model.json together with every shard");
});

test('other architectures of the zoo: groups, and params and MACs at 30% uniform, as @prune/core counts them', async ({ page }) => {
  const watch = await open(page);
  for (const [name, want] of Object.entries(expected.others)) {
    await page.setInputFiles('#model-files', [join(fixtures, name, 'model.json'), join(fixtures, name, 'weights.bin')]);
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'ready');
    await expect(page.locator('#groups tbody tr')).toHaveCount(want.groups);
    await setAmount(page, 'uniform', 30);
    expect([Number(await page.locator('#result').getAttribute('data-params')), Number(await page.locator('#result').getAttribute('data-macs'))], name).toEqual([want.params, want.macs]);
    await page.locator('#amount').fill('0');
    await expect(page.locator('#result')).toHaveAttribute('data-amount', '0');
    await expect(page.locator('#result')).toHaveAttribute('data-state', 'ready');
  }
  expect(watch.errors).toEqual([]);
  expect(watch.external).toEqual([]);
});
