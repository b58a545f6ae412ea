import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Results } from '@prune/report';
import { copyViewer } from '../src/copyViewer';
import { serveRun } from '../src/serveRun';
import { ensureViewerBuilt, VIEWER_ROOT } from '../src/viewerDist';
import type { E2eFixture } from './fixture';
import { runCommand } from './runCommand';

const tsx = join(VIEWER_ROOT, 'node_modules', '.bin', 'tsx');
/** The experiment's small configuration: two criteria and two seeds (bands), comparisons and 3 random orders (the oracle, P²/2 evaluations, is left to the unit tests), the lab's 2000 test pairs. */
const SMALL_RUN = ['--train-fraction', '0.05', '--test-fraction', '0.1', '--train-pairs', '2000', '--test-pairs', '2000', '--epochs', '2', '--seeds', '1,2', '--criteria', 'mean,l1', '--compare', 'taylor,ablation', '--random-orders', '3', '--no-oracle', '--export-k', '8', '--progress', 'lines'];

/**
 * Makes a run folder with the real experiment CLI (or takes PRUNE_VIEWER_E2E_RUN, an existing run folder, to
 * iterate faster), computes the oracle accuracies with @prune/core, builds the page, and serves the run twice:
 * as `pnpm viewer` does, and as a static copy with the viewer copied in.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const work = mkdtempSync(join(tmpdir(), 'prune-viewer-e2e-'));
  let runDir = process.env.PRUNE_VIEWER_E2E_RUN ? resolve(process.env.PRUNE_VIEWER_E2E_RUN) : undefined;
  if (!runDir) {
    const outDir = join(work, 'runs');
    await runCommand(tsx, ['--conditions=@prune/source', 'src/cli.ts', ...SMALL_RUN, '--out-dir', outDir, '--run-id', 'e2e-small'], {
      cwd: resolve(VIEWER_ROOT, '../experiment'),
      env: { INIT_CWD: work },
      label: 'experiment',
    });
    runDir = join(outDir, 'e2e-small');
  }

  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Results;
  const [first] = results.seedRuns;
  const mean = first?.criteria.find((c) => c.criterion === 'mean')?.order;
  const second = first?.criteria[1];
  if (!first || !mean || !second) throw new Error(`${runDir}: the e2e run needs the 'mean' criterion and a second one`);
  const strongest = mean[mean.length - 1] as number;
  const masks: Record<string, number[]> = {
    none: [],
    strongest: [strongest],
    // The keyboard test walks the grid: channel 3 (index 2), then channel 11 (index 10) one row down.
    keyboardFirst: [2],
    keyboardBoth: [2, 10],
    secondK5: second.order.slice(0, 5),
    secondK5PlusStrongest: [...second.order.slice(0, 5), ...(second.order.slice(0, 5).includes(strongest) ? [] : [strongest])],
    tableRank1: [mean[0] as number],
  };
  const masksFile = join(work, 'masks.json');
  const expectedFile = join(work, 'expected.json');
  writeFileSync(masksFile, JSON.stringify(masks));
  await runCommand(tsx, ['--conditions=@prune/source', 'e2e/expectedAccuracies.ts', runDir, masksFile, expectedFile], { cwd: VIEWER_ROOT, label: 'oracle' });
  const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, number>;

  const viewerDir = await ensureViewerBuilt({ log: (line) => console.log(line) });
  const served = await serveRun({ runDir, viewerDir, port: 0 });
  // The publishable form: the run's files with the built viewer copied beside them, served as they are.
  const staticRun = join(work, 'static-run');
  cpSync(runDir, staticRun, { recursive: true });
  await copyViewer(staticRun);
  const empty = join(work, 'empty');
  mkdirSync(empty);
  const staticServed = await serveRun({ runDir: staticRun, viewerDir: empty, port: 0 });

  const fixture: E2eFixture = { url: served.url, staticUrl: staticServed.url, runDir, masks, expected };
  const fixtureFile = join(work, 'fixture.json');
  writeFileSync(fixtureFile, JSON.stringify(fixture, null, 2));
  process.env.PRUNE_VIEWER_E2E = fixtureFile;
  return async () => {
    await Promise.all([served.server, staticServed.server].map((s) => new Promise((r) => s.close(r))));
    rmSync(work, { recursive: true, force: true });
  };
}
