/**
 * How every browser test launches Chromium: Debian's build (never a downloaded browser), headless, with no network
 * beyond loopback (background services off, or the closed network refuses their connections).
 */
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
};
