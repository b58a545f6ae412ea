import { expect, test } from '@playwright/test';
import { readFixture } from './fixture';
import { expectAccuracy, openViewer, screenshotPath, whatIfResult } from './openViewer';

const fx = readFixture();

test('on a phone: no sideways scrolling, four maps per row, a tap switches a channel', async ({ page }) => {
  const watch = await openViewer(page, fx.url);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const tops = await page.locator('.map').evaluateAll((maps) => maps.slice(0, 5).map((m) => (m as HTMLElement).offsetTop));
  expect(new Set(tops.slice(0, 4)).size).toBe(1);
  expect(tops[4]).toBeGreaterThan(tops[0]!);
  await page.screenshot({ path: screenshotPath('phone-initial.png'), fullPage: true });
  const [channel] = fx.masks.strongest!;
  await page.locator(`.map[data-channel="${channel}"]`).tap();
  expectAccuracy(await whatIfResult(page, fx.masks.strongest!), fx.expected.strongest!);
  await page.locator('#what-if').screenshot({ path: screenshotPath('phone-whatif.png') });
  expect(watch.errors).toEqual([]);
  expect(watch.external).toEqual([]);
});
