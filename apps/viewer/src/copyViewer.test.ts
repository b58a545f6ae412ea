import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyViewer } from './copyViewer';
import { VIEWER_DIST } from './viewerDist';

const runDir = mkdtempSync(join(tmpdir(), 'prune-copy-viewer-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('copyViewer', () => {
  it("puts the built page into a run folder, replacing an older build's bundles and keeping the run's files", async () => {
    writeFileSync(join(runDir, 'results.json'), '{}');
    mkdirSync(join(runDir, 'assets'));
    writeFileSync(join(runDir, 'assets', 'index-OLDBUILD.js'), 'stale');
    const entries = await copyViewer(runDir);
    expect(entries.sort()).toEqual(['assets', 'index.html']);
    expect(readdirSync(join(runDir, 'assets')).sort()).toEqual(readdirSync(join(VIEWER_DIST, 'assets')).sort());
    expect(existsSync(join(runDir, 'assets', 'index-OLDBUILD.js'))).toBe(false);
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toBe(readFileSync(join(VIEWER_DIST, 'index.html'), 'utf8'));
    expect(readFileSync(join(runDir, 'results.json'), 'utf8')).toBe('{}');
  }, 120_000);
});
