import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseOrExitCode, watchLauncher } from '@prune/cli/process';
import { removePendingSync } from './atomicWrite.js';
import { parseCli, type CliConfig } from './parseCli.js';
import { createProgress } from './createProgress.js';

/** Set in the worker process, which runs the experiment while the supervisor only relays signals. */
const WORKER_ENV = 'PRUNE_EXPERIMENT_WORKER';

/**
 * The supervisor: validates the arguments, then runs the experiment in a child process with the same Node flags.
 * tsx (which `pnpm experiment` runs under) kills its child with SIGKILL when a signal is not acknowledged within
 * 30 ms, which a process busy in a training step cannot do; this process stays idle, so Ctrl-C reaches the worker
 * as SIGINT and the worker removes its unfinished files before exiting.
 */
function supervise(argv: string[]): void {
  const execArgv = process.execArgv.filter((arg, i, all) => !arg.includes('preflight') && !(arg === '--require' && all[i + 1]?.includes('preflight')));
  const child = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url), ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [WORKER_ENV]: '1' },
  });
  const relay = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches the worker too (same process group); a second one is ignored there.
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 1);
  });
}

/**
 * The worker: runs the experiment. Ctrl-C, SIGTERM, or the end of a process that launched it (a signal sent to
 * the top `pnpm` only ends pnpm and is not passed on) removes every unfinished file and folder, then exits with
 * 128 + the signal's number (130, 143).
 */
async function work(cli: CliConfig): Promise<number> {
  const progress = createProgress(cli.progress);
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals, why: string = signal) => {
    if (interrupted) return;
    interrupted = true;
    progress.close();
    controller.abort(new Error(`interrupted by ${why}`));
    // Nothing half-written may remain: temporary files and the unfinished run folder go now, before exiting.
    const removed = removePendingSync();
    process.stderr.write(`\ninterrupted (${why}): removed ${removed.length} unfinished file(s) or folder(s); the model cache keeps only complete entries\n`);
    process.exit(128 + constants.signals[signal]);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  watchLauncher((launcher) => onSignal('SIGTERM', `SIGTERM: ${launcher.name} (pid ${launcher.pid}), which launched this run, has ended`));
  try {
    // Loaded after argument parsing, so --help and config errors answer at once without loading tfjs.
    const { runExperiment } = await import('./runExperiment.js');
    await runExperiment(cli.config, { progress, signal: controller.signal, print: (line) => process.stdout.write(`${line}\n`) });
    return 0;
  } catch (error) {
    progress.close();
    removePendingSync();
    process.stderr.write(`error: ${(error as Error).message}\n`);
    if (process.env.PRUNE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return error instanceof ConfigError ? 2 : 1; // a configuration error found once tfjs or the data are loaded
  }
}

// Exit codes: 0 done, 1 failed, 2 bad configuration or usage, 130 interrupted (Ctrl-C), 143 stopped (SIGTERM, or
// its launcher ended).
const argv = process.argv.slice(2);
const parsed = parseOrExitCode(parseCli, argv);
if (typeof parsed === 'number') {
  process.exitCode = parsed;
} else if (process.env[WORKER_ENV] !== '1') {
  supervise(argv);
} else {
  work(parsed).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      removePendingSync();
      process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
