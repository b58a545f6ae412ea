import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from '@prune/report';

/** What the global setup leaves for the specs: the served run, its results and the oracle's accuracies. */
export interface E2eFixture {
  /** The run served by `pnpm viewer`'s server (page from dist/, data from the run folder). */
  url: string;
  /** A copy of the run folder with the built viewer copied into it, served as plain static files. */
  staticUrl: string;
  runDir: string;
  /** Channels switched off, by mask name. */
  masks: Record<string, number[]>;
  /** Test pair accuracy of each mask by @prune/core in Node. */
  expected: Record<string, number>;
}

/** Reads the fixture the global setup wrote (its path is in PRUNE_VIEWER_E2E) and the run's results.json. */
export function readFixture(): E2eFixture & { results: Results } {
  const file = process.env.PRUNE_VIEWER_E2E;
  if (!file) throw new Error('PRUNE_VIEWER_E2E is not set: run the specs through playwright.config.ts');
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as E2eFixture;
  return { ...fixture, results: JSON.parse(readFileSync(join(fixture.runDir, 'results.json'), 'utf8')) as Results };
}
