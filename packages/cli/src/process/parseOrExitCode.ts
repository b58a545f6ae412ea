import { CommanderError } from 'commander';
import { ConfigError } from '../configError';

/**
 * A command's first step: parses its arguments, or says why not and gives the exit code. Commander has already
 * printed its help (exit code 0) or its error (2); a {@link ConfigError} is printed here as `error: <message>`
 * (2). Anything else is a bug and is thrown. Parsing comes before anything heavy is loaded, so `--help` and a bad
 * flag answer at once.
 *
 * @param parse - the command's parser: returns the checked config or throws as above.
 * @param argv - the arguments after the script (`process.argv.slice(2)`).
 * @param stderr - where the message goes (default `process.stderr`).
 * @returns The parsed config, or the exit code to end with.
 *
 * @example
 * ```ts
 * import { parseArgs } from '@prune/cli';
 * import { parseOrExitCode } from '@prune/cli/process';
 *
 * const config = parseOrExitCode(parseArgs, process.argv.slice(2));
 * // 0 after --help, 2 after a bad flag (the message is printed)
 * if (typeof config === 'number') process.exit(config);
 * ```
 */
export function parseOrExitCode<T>(
  parse: (argv: string[]) => T,
  argv: string[],
  stderr: { write(text: string): unknown } = process.stderr,
): T | number {
  try {
    return parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError) {
      stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
