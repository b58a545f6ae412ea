import {
  ablationImportance,
  apozImportance,
  l1NormImportance,
  l2NormImportance,
  meanAbsActivationImportance,
  meanActivationImportance,
  randomImportance,
  taylorImportance,
  type ImportanceCriterion,
} from '@prune/core';

import { CRITERION_DESCRIPTIONS } from './criterionNames.js';

type Factory = (seed: number) => ImportanceCriterion;

/** The importance criteria the CLI offers, by the name used in --criteria and in results.json. */
export const CRITERIA: Readonly<Record<keyof typeof CRITERION_DESCRIPTIONS, Factory>> = {
  mean: () => meanActivationImportance(),
  'mean-abs': () => meanAbsActivationImportance(),
  apoz: () => apozImportance(),
  l1: () => l1NormImportance(),
  l2: () => l2NormImportance(),
  taylor: () => taylorImportance(),
  ablation: () => ablationImportance(),
  random: (seed) => randomImportance({ seed }),
};

/** The criterion named `name`, or an error listing the known names. */
export function criterionByName(name: string, seed: number): ImportanceCriterion {
  const create = CRITERIA[name];
  if (!create) throw new Error(`--criteria: unknown criterion '${name}'; known: ${Object.keys(CRITERIA).join(', ')}`);
  return create(seed);
}
