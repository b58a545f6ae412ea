/**
 * The folder the user ran a command from, against which the paths they type resolve. pnpm runs a package's
 * script in the package's folder and keeps the caller's folder in `INIT_CWD`; outside a script this is the
 * working directory.
 *
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { resolve } from 'node:path';
 * import { userCwd } from '@prune/cli/process';
 *
 * // `pnpm viewer runs/lab` from the repository's root finds <root>/runs/lab
 * const runDir = resolve(userCwd(), 'runs/lab');
 * ```
 */
export function userCwd(): string {
  return process.env.INIT_CWD ?? process.cwd();
}
