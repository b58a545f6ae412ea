import { existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from './runConfigSchema.js';
import { removeStaleTemporaries, trackTemporary } from './atomicWrite.js';

/** Where a run writes: the unfinished folder, its final name and the model cache beside it. */
export interface RunFolder {
  runsDir: string;
  cacheDir: string;
  runId: string;
  /** The unfinished folder, `.<id>.partial-<pid>`, renamed to `finalDir` when complete. */
  runDir: string;
  finalDir: string;
  /** Stops treating runDir as a temporary to remove on interruption (once renamed). */
  untrack: () => void;
}

function timestampId(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
}

/**
 * Creates the output folder and the run's unfinished folder, after removing temporaries left by killed runs.
 * Fails before any work when the output folder is not writable or the run id is taken.
 */
export async function openRunFolder(config: Pick<RunConfig, 'outDir' | 'runId'>, createdAt: Date, log: (line: string) => void): Promise<RunFolder> {
  const runsDir = config.outDir;
  const cacheDir = join(runsDir, '.cache');
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (error) {
    throw new Error(`--out-dir ${runsDir}: cannot create the output folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const stale = [...(await removeStaleTemporaries(runsDir)), ...(await removeStaleTemporaries(cacheDir))];
  if (stale.length > 0) log(`removed ${stale.length} unfinished file(s) left by an interrupted run: ${stale.join(', ')}`);
  const runId = config.runId ?? timestampId(createdAt);
  const finalDir = join(runsDir, runId);
  if (existsSync(finalDir)) throw new Error(`--run-id ${runId}: ${finalDir} already exists; choose another run id`);
  const runDir = join(runsDir, `.${runId}.partial-${process.pid}`);
  const untrack = trackTemporary(runDir);
  try {
    await mkdir(runDir);
  } catch (error) {
    throw new Error(`--out-dir ${runsDir}: cannot write into the output folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return { runsDir, cacheDir, runId, runDir, finalDir, untrack };
}

/** Makes the run visible in one rename, then points `latest` at it. */
export async function publishRunFolder(folder: RunFolder): Promise<void> {
  const { runDir, finalDir, runId } = folder;
  await rename(runDir, finalDir).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') throw new Error(`--run-id ${runId}: ${finalDir} already exists; choose another run id`);
    throw error;
  });
  folder.untrack();
  await pointLatest(folder.runsDir, runId);
}

/** Replaces runs/latest (a symlink to the newest run folder) atomically. */
async function pointLatest(runsDir: string, runId: string): Promise<void> {
  const temp = join(runsDir, `.latest.tmp-${process.pid}`);
  await rm(temp, { force: true });
  await symlink(runId, temp);
  await rename(temp, join(runsDir, 'latest'));
}
