import { existsSync, lstatSync } from 'node:fs';
import { mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from './runConfigSchema.js';
import { isAlive, removeStaleTemporaries, trackTemporary, untrackTemporary } from './atomicWrite.js';
import { ConfigError } from '@prune/cli/process';

/** Where a run writes: the unfinished folder, its final name and the model cache beside it. */
export interface RunFolder {
  runsDir: string;
  cacheDir: string;
  runId: string;
  /** The unfinished folder, `.<id>.partial-<pid>`, renamed to `finalDir` when complete. */
  runDir: string;
  finalDir: string;
  /** `.<id>.claim`, a symlink naming this process: no other run takes the id while it exists. */
  claim: string;
}

function timestampId(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
}

/**
 * Claims a run id atomically (a symlink cannot be created twice): true when this process now holds it, false
 * when a live run does. A claim left by a killed process is taken over.
 */
async function claimRunId(claim: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await symlink(String(process.pid), claim);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readlink(claim).catch(() => Number.NaN));
      if (Number.isInteger(owner) && isAlive(owner)) return false;
      await rm(claim, { force: true });
    }
  }
  return false;
}

/** `runs/latest` must be the link this tool keeps (or absent): a folder there would fail the run at its very end. */
function checkLatest(runsDir: string): void {
  const latest = join(runsDir, 'latest');
  let isLink: boolean;
  try {
    isLink = lstatSync(latest).isSymbolicLink();
  } catch {
    return;
  }
  if (!isLink) throw new ConfigError(`--out-dir ${runsDir}: ${latest} is not the symlink to the newest run that \`pnpm experiment\` keeps there; move it away`);
}

/**
 * Creates the output folder and claims the run id, after removing temporaries left by killed runs; then creates
 * the unfinished folder. Fails before any work when the output folder is not writable or the id is taken. The
 * default id (the start time) gets a suffix `-2`, `-3` … when another run started in the same second.
 */
export async function openRunFolder(config: Pick<RunConfig, 'outDir' | 'runId'>, createdAt: Date, log: (line: string) => void): Promise<RunFolder> {
  const runsDir = config.outDir;
  const cacheDir = join(runsDir, '.cache');
  checkLatest(runsDir);
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (error) {
    throw new Error(`--out-dir ${runsDir}: cannot create the output folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const stale = [...(await removeStaleTemporaries(runsDir)), ...(await removeStaleTemporaries(cacheDir))];
  if (stale.length > 0) log(`removed ${stale.length} unfinished file(s) left by an interrupted run: ${stale.join(', ')}`);
  const base = config.runId ?? timestampId(createdAt);
  for (let n = 1; ; n++) {
    const runId = n === 1 ? base : `${base}-${n}`;
    const finalDir = join(runsDir, runId);
    const claim = join(runsDir, `.${runId}.claim`);
    const claimed = !existsSync(finalDir) && (await claimRunId(claim));
    if (claimed && existsSync(finalDir)) await rm(claim, { force: true }); // finished meanwhile by another run
    else if (claimed) {
      trackTemporary(claim);
      const runDir = join(runsDir, `.${runId}.partial-${process.pid}`);
      trackTemporary(runDir);
      try {
        await mkdir(runDir);
      } catch (error) {
        throw new Error(`--out-dir ${runsDir}: cannot write into the output folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      return { runsDir, cacheDir, runId, runDir, finalDir, claim };
    }
    if (config.runId !== null) {
      throw new ConfigError(`--run-id ${runId}: ${existsSync(finalDir) ? `${finalDir} already exists` : 'another run is writing this run id now'}; choose another run id`);
    }
  }
}

/** Makes the run visible in one rename, then points `latest` at it and releases the id's claim. */
export async function publishRunFolder(folder: RunFolder): Promise<void> {
  const { runDir, finalDir, runId } = folder;
  await rename(runDir, finalDir).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') throw new Error(`--run-id ${runId}: ${finalDir} already exists; choose another run id`);
    throw new Error(`cannot rename ${runDir} to ${finalDir} (${error.code ?? error.message})`);
  });
  untrackTemporary(runDir);
  await pointLatest(folder.runsDir, runId);
  await rm(folder.claim, { force: true });
  untrackTemporary(folder.claim);
}

/** Replaces runs/latest (a symlink to the newest run folder) atomically. */
async function pointLatest(runsDir: string, runId: string): Promise<void> {
  const temp = join(runsDir, `.latest.tmp-${process.pid}`);
  await rm(temp, { force: true });
  await symlink(runId, temp);
  await rename(temp, join(runsDir, 'latest'));
}
