import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** True while any process of group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return condition();
}

/**
 * Starts `pnpm <args>` at the repository root as a terminal would (its own process group), waits for `ready` on its
 * output, then sends SIGTERM to the top pnpm process only, as `kill PID`, a container stop or a CI timeout does.
 */
async function signalTopPnpm(args: string[], ready: RegExp): Promise<{ output: string; groupEmptied: boolean }> {
  const child = spawn('pnpm', args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INIT_CWD: repoRoot } });
  const pgid = child.pid as number;
  let output = '';
  const seen = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => reject(new Error(`pnpm ${args.join(' ')} ended before ${ready}:\n${output}`)));
  });
  try {
    await seen;
    process.kill(pgid, 'SIGTERM'); // the top process only, not its group
    const groupEmptied = await waitFor(() => !groupAlive(pgid), 20_000);
    return { output, groupEmptied };
  } finally {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  }
}

describe.skipIf(process.platform === 'win32')('a signal to the top pnpm process only', () => {
  it('pnpm experiment: the work stops with the cleanup of Ctrl-C, no process remains and no run folder appears', async () => {
    const out = mkdtempSync(join(tmpdir(), 'prune-sigterm-'));
    try {
      const args = ['experiment', '--train-fraction', '0.02', '--test-fraction', '0.05', '--train-pairs', '320', '--test-pairs', '200', '--epochs', '3', '--progress', 'lines', '--out-dir', out, '--run-id', 'killed'];
      const { output, groupEmptied } = await signalTopPnpm(args, /epoch 1\/3: \d+\//);
      expect(groupEmptied, `processes of the command remain:\n${output}`).toBe(true);
      expect(output).toMatch(/interrupted \(SIGTERM: (pnpm|sh|node) \(pid \d+\), which launched this run, has ended\): removed \d+ unfinished/);
      // Nothing can write any more: the out-dir holds no run folder, no temporaries and no cache entry.
      expect(readdirSync(out)).toEqual(['.cache']);
      expect(readdirSync(join(out, '.cache'))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('pnpm viewer: the server stops listening and exits', async () => {
    const run = mkdtempSync(join(tmpdir(), 'prune-sigterm-viewer-'));
    try {
      writeFileSync(join(run, 'results.json'), '{}');
      const { output, groupEmptied } = await signalTopPnpm(['viewer', run, '--port', '0'], /Serving .*\n\s+http:\/\/127\.0\.0\.1:\d+\//);
      expect(groupEmptied, `processes of the command remain:\n${output}`).toBe(true);
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(output)?.[0] as string;
      await expect(fetch(url)).rejects.toThrow(); // nothing listens there any more
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  }, 240_000);
});
