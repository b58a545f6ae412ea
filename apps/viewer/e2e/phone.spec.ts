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

  // The ranking table's switches are on screen, not clipped by the table's scroll box.
  const box = await page.locator('table.ranking tbody tr').first().getByRole('checkbox').boundingBox();
  const scroller = await page.locator('#ranking .table-scroll').boundingBox();
  expect(box && scroller && box.x >= scroller.x && box.x + box.width <= scroller.x + scroller.width).toBe(true);

  // Chart text is drawn at a readable size: its font size times the SVG's scale on screen is at least 10 px.
  for (const id of ['accuracy-chart', 'cost-chart', 'tradeoff-chart']) {
    const smallest = await page.locator(`#${id} svg`).evaluate((svg) => {
      const s = svg as SVGSVGElement;
      const scale = s.getBoundingClientRect().width / Number(s.getAttribute('width'));
      const sizes = Array.from(s.querySelectorAll('text')).map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
      return Math.min(...sizes);
    });
    expect(smallest, id).toBeGreaterThanOrEqual(10);
  }
  expect(watch.errors).toEqual([]);
  expect(watch.external).toEqual([]);
});
