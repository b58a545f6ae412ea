import type { ImportanceCriterion } from './importance';
import { ablationImportance } from './ablationImportance';
import { apozImportance, meanAbsActivationImportance, meanActivationImportance } from './activationCriteria';
import { l1NormImportance, l2NormImportance } from './filterNormCriteria';
import { randomImportance } from './randomImportance';
import { taylorImportance } from './taylorImportance';

/** The names of the built-in criteria, as apps accept them (the lab's `mean-activation` first). */
export const CRITERION_NAMES = ['mean-activation', 'mean-abs-activation', 'apoz', 'l1-norm', 'l2-norm', 'taylor', 'random', 'ablation'] as const;

/** One of {@link CRITERION_NAMES}. */
export type CriterionName = (typeof CRITERION_NAMES)[number];

/**
 * Whether a string (from a command line or a config file) is one of {@link CRITERION_NAMES}.
 *
 * @param name - any string, e.g. from a command line.
 *
 * @example
 * ```ts
 * import { isCriterionName } from '@prune/core';
 *
 * console.log(isCriterionName('taylor'), isCriterionName('magic')); // true false
 * ```
 */
export function isCriterionName(name: string): name is CriterionName {
  return (CRITERION_NAMES as readonly string[]).includes(name);
}

/**
 * A built-in criterion by name (for command lines and configs); `seed` is used by `random` (default 0). The name is
 * typed; a name that is not one (from untyped JavaScript) is an error listing the names.
 *
 * @param name - one of `CRITERION_NAMES`.
 * @param options - `seed` for `random` (default 0).
 *
 * @example
 * ```ts
 * import { criterionByName, isCriterionName } from '@prune/core';
 *
 * const name = process.argv[2] ?? 'l1-norm';
 * if (!isCriterionName(name)) throw new Error(`unknown criterion ${name}`);
 * const criterion = criterionByName(name, { seed: 7 });
 * ```
 */
export function criterionByName(name: CriterionName, options: { seed?: number } = {}): ImportanceCriterion {
  switch (name) {
    case 'mean-activation':
      return meanActivationImportance();
    case 'mean-abs-activation':
      return meanAbsActivationImportance();
    case 'apoz':
      return apozImportance();
    case 'l1-norm':
      return l1NormImportance();
    case 'l2-norm':
      return l2NormImportance();
    case 'taylor':
      return taylorImportance();
    case 'random':
      return randomImportance({ seed: options.seed ?? 0 });
    case 'ablation':
      return ablationImportance();
    default:
      throw new Error(`unknown importance criterion '${name}'; choose one of ${CRITERION_NAMES.join(', ')}`);
  }
}

/**
 * The criterion an option names: an ImportanceCriterion as given, a built-in one by name, or `l1-norm` (which needs
 * no data) when absent; anything else is an error starting with `caller`.
 */
export function criterionOption(criterion: ImportanceCriterion | CriterionName | undefined, caller: string): ImportanceCriterion {
  if (criterion === undefined) return l1NormImportance();
  if (typeof criterion === 'string') {
    if (!isCriterionName(criterion)) {
      throw new Error(`${caller}: options.criterion '${criterion}' is not a built-in criterion; choose one of ${CRITERION_NAMES.join(', ')}, or pass an ImportanceCriterion`);
    }
    return criterionByName(criterion);
  }
  if (typeof criterion.score !== 'function' || !Array.isArray(criterion.requires)) {
    throw new Error(`${caller}: options.criterion must be a criterion name or an ImportanceCriterion ({ name, requires, score })`);
  }
  return criterion;
}
