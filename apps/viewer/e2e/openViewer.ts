import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

/** What a page did besides rendering: console errors, uncaught exceptions, and requests that left the server. */
export interface PageWatch {
  errors: string[];
  warnings: string[];
  external: string[];
  failed: string[];
}

/**
 * Opens the viewer at `url`, recording console errors, page errors, failed requests and any request to another
 * origin (which is also aborted: the page must work with no network), then waits until the what-if model is ready.
 */
export async function openViewer(page: Page, url: string): Promise<PageWatch> {
  const watch: PageWatch = { errors: [], warnings: [], external: [], failed: [] };
  const origin = new URL(url).origin;
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
    if (message.type() === 'warning') watch.warnings.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => watch.failed.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`));
  page.on('response', (response) => {
    if (response.status() >= 400) watch.failed.push(`${response.url()} (${response.status()})`);
  });
  await page.route('**/*', (route) => {
    const requestUrl = route.request().url();
    if (requestUrl.startsWith('data:') || requestUrl.startsWith('blob:') || new URL(requestUrl).origin === origin) return route.continue();
    watch.external.push(requestUrl);
    return route.abort('blockedbyclient');
  });
  await page.goto(url);
  await expect(page.locator('#whatif-result')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  return watch;
}

/** The what-if read-out once an evaluation for exactly `off` (channel indices) has finished. */
export async function whatIfResult(page: Page, off: readonly number[]): Promise<{ accuracy: number; text: string; ms: number }> {
  const result = page.locator('#whatif-result');
  const offList = [...off].sort((a, b) => a - b).join(',');
  await expect(result).toHaveAttribute('data-off', offList);
  await expect(result).toHaveAttribute('data-state', 'ready');
  return {
    accuracy: Number(await result.getAttribute('data-accuracy')),
    text: (await page.locator('#whatif-accuracy').textContent()) ?? '',
    ms: Number(await result.getAttribute('data-ms')),
  };
}

/** Checks a displayed accuracy against the oracle: the same value to the 4 decimals the page shows. */
export function expectAccuracy(shown: { accuracy: number; text: string }, expected: number): void {
  expect(Math.abs(shown.accuracy - expected)).toBeLessThan(5e-5);
  expect(shown.text).toBe(expected.toFixed(4));
}

/** Where a test saves a screenshot to look at: test-results/screenshots/<name>. */
export function screenshotPath(name: string): string {
  return join(test.info().project.outputDir, 'screenshots', name);
}
