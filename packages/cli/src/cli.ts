#!/usr/bin/env node
import { parseArgs } from './parseArgs';
import { parseOrExitCode } from './process/parseOrExitCode';
import { userCwd } from './process/userCwd';

/** Exit codes: 0 done, 1 failed (the message says why and what to do), 2 bad flags or values. */
async function main(): Promise<number> {
  // Run as this package's own script (`pnpm --filter @prune/cli run cli …`), paths are the caller's, not the
  // package folder's. Installed, `prune` runs where it is called.
  const ownScript = process.env.npm_package_name === '@prune/cli' && process.env.npm_lifecycle_event === 'cli';
  if (ownScript) process.chdir(userCwd());
  const config = parseOrExitCode(parseArgs, process.argv.slice(2));
  if (typeof config === 'number') return config;
  // Loaded after parsing, so --help and flag errors answer at once without loading tfjs.
  const { runPrune } = await import('./runPrune');
  const { createProgress } = await import('./progress');
  const progress = createProgress(config.progress);
  try {
    await runPrune(config, { progress });
    return 0;
  } catch (error) {
    progress.close();
    process.stderr.write(`error: ${(error as Error).message}\n`);
    if (process.env.PRUNE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
