import { criterionByName as coreCriterionByName, type CriterionName, type ImportanceCriterion } from '@prune/core';

import { CRITERION_DESCRIPTIONS } from './criterionNames.js';

/** The CLI's short criterion names (as in --criteria and results.json) and @prune/core's names for them. */
const CORE_NAMES: Readonly<Record<keyof typeof CRITERION_DESCRIPTIONS, CriterionName>> = {
  mean: 'mean-activation',
  'mean-abs': 'mean-abs-activation',
  apoz: 'apoz',
  l1: 'l1-norm',
  l2: 'l2-norm',
  taylor: 'taylor',
  ablation: 'ablation',
  random: 'random',
};

/** The criterion named `name`, or an error listing the known names. */
export function criterionByName(name: string, seed: number): ImportanceCriterion {
  const coreName = CORE_NAMES[name];
  if (!coreName) throw new Error(`--criteria: unknown criterion '${name}'; known: ${Object.keys(CORE_NAMES).join(', ')}`);
  return coreCriterionByName(coreName, { seed });
}
