import { Option } from 'commander';

/** How a command shows progress (its `--progress` flag): bars on a terminal (`auto`), `bars`, `lines` or `none`. */
export type ProgressMode = 'auto' | 'bars' | 'lines' | 'none';

/**
 * The `--progress <mode>` flag of the project's commands, one definition for all: `auto` (bars on a terminal, lines
 * otherwise), `bars`, `lines` or `none` (no progress; messages still printed), default `auto`.
 *
 * @returns A commander option to add with `program.addOption`.
 *
 * @example
 * ```ts
 * import { progressOption } from '@prune/cli/process';
 *
 * const option = progressOption(); // program.addOption(option), with a commander `Command`
 * console.log(option.flags); // --progress <mode>
 * console.log(option.argChoices); // [ 'auto', 'bars', 'lines', 'none' ]
 * ```
 */
export function progressOption(): Option {
  const modes: ProgressMode[] = ['auto', 'bars', 'lines', 'none'];
  return new Option('--progress <mode>', 'progress on stderr: auto (bars on a terminal, lines otherwise), bars, lines or none').choices(modes).default('auto');
}
