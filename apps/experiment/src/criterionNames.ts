/** Names accepted by --criteria, with what each ranks by (criterionByName.ts maps each to @prune/core). */
export const CRITERION_DESCRIPTIONS: Readonly<Record<string, string>> = {
  mean: 'mean activation before ReLU (the reference)',
  'mean-abs': 'mean |activation| before ReLU',
  apoz: 'share of non-zero activations after ReLU (1 - APoZ)',
  l1: 'L1 norm of the filter weights',
  l2: 'L2 norm of the filter weights',
  taylor: 'first-order Taylor: |activation x gradient of the loss| (Molchanov et al. 2017)',
  ablation: 'metric drop when the channel alone is removed (exact fast path; one pass per channel)',
  random: 'seeded random scores (the control any criterion should beat)',
};
