import { CommanderError } from 'commander';
import { removePendingSync } from './atomicWrite.js';
import { ConfigError, parseCli } from './config.js';
import { createProgress } from './progress.js';

/** Exit codes: 0 done, 1 failed, 2 bad configuration or usage, 130 interrupted (Ctrl-C). */
async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed help or the error
    if (error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const progress = createProgress(cli.progress);
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    progress.close();
    controller.abort(new Error(`interrupted by ${signal}`));
    // Nothing half-written may remain: temporary files and the unfinished run folder go now, before exiting.
    const removed = removePendingSync();
    process.stderr.write(`\ninterrupted (${signal}): removed ${removed.length} unfinished file(s)/folder(s); the model cache keeps only complete entries\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
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
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    removePendingSync();
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
