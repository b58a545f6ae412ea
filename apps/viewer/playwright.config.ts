import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunch } from '../../playwright.shared';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/globalSetup.ts',
  timeout: 120_000,
  expect: { timeout: 60_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: 'test-results',
  use: { launchOptions: chromiumLaunch, trace: 'off' },
  projects: [
    { name: 'desktop', testMatch: 'viewer.spec.ts', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 900 }, launchOptions: chromiumLaunch } },
    { name: 'phone', testMatch: 'phone.spec.ts', use: { ...devices['Pixel 7'], browserName: 'chromium', launchOptions: chromiumLaunch } },
  ],
});
