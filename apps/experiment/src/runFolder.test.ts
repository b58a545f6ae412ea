import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removePendingSync } from './atomicWrite.js';
import { ConfigError } from '@prune/cli/process';
import { openRunFolder, publishRunFolder } from './runFolder.js';

const dirs: string[] = [];
function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prune-runfolder-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  removePendingSync();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const log = () => {};
const at = new Date('2026-12-01T22:12:53.250Z');

describe('openRunFolder', () => {
  it('gives two runs started in the same second distinct default ids, and publishes each', async () => {
    const out = outDir();
    const a = await openRunFolder({ outDir: out, runId: null }, at, log);
    const b = await openRunFolder({ outDir: out, runId: null }, at, log);
    expect([a.runId, b.runId]).toEqual(['2026-12-01T22-12-53', '2026-12-01T22-12-53-2']);
    await publishRunFolder(a);
    await publishRunFolder(b);
    expect(readdirSync(out).sort()).toEqual(['.cache', '2026-12-01T22-12-53', '2026-12-01T22-12-53-2', 'latest']);
    expect(readlinkSync(join(out, 'latest'))).toBe('2026-12-01T22-12-53-2');
    // The next run of that second takes the next suffix, as the finished folders hold the first two.
    expect((await openRunFolder({ outDir: out, runId: null }, at, log)).runId).toBe('2026-12-01T22-12-53-3');
  });

  it('refuses, before any work, an explicit id another live run holds or a finished folder has', async () => {
    const out = outDir();
    await openRunFolder({ outDir: out, runId: 'mine' }, at, log);
    await expect(openRunFolder({ outDir: out, runId: 'mine' }, at, log)).rejects.toThrow(new ConfigError('--run-id mine: another run is writing this run id now; choose another run id'));
    mkdirSync(join(out, 'done'));
    await expect(openRunFolder({ outDir: out, runId: 'done' }, at, log)).rejects.toThrow(`--run-id done: ${join(out, 'done')} already exists`);
  });

  it('takes over the claim of a run that was killed', async () => {
    const out = outDir();
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    mkdirSync(out, { recursive: true });
    symlinkSync(String(dead.pid), join(out, '.mine.claim'));
    const folder = await openRunFolder({ outDir: out, runId: 'mine' }, at, log);
    expect(readlinkSync(folder.claim)).toBe(String(process.pid));
  });

  it('refuses a runs/latest that is not its symlink before any work, and writes nothing', async () => {
    const out = outDir();
    mkdirSync(join(out, 'latest'));
    await expect(openRunFolder({ outDir: out, runId: 'x' }, at, log)).rejects.toThrow(`--out-dir ${out}: ${join(out, 'latest')} is not the symlink`);
    expect(readdirSync(out)).toEqual(['latest']);
    expect(lstatSync(join(out, 'latest')).isDirectory()).toBe(true);
    expect(existsSync(join(out, '.cache'))).toBe(false);
  });
});
