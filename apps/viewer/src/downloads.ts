import type { Results } from '@prune/report';
import { h } from './dom';

/**
 * The run folder's files worth taking away, as the CLI writes them: results.json, the accuracy CSV and figure
 * always; the cost CSV; the cost and trade-off figures when costs were measured; the feature maps when the layer
 * has spatial maps.
 */
export function runFiles(results: Results): Array<[string, string]> {
  const [, height, width] = results.seedRuns[0]?.stats.mapShape ?? [0, 1, 1];
  const figure = (name: string, what: string): Array<[string, string]> => [[`${name}.svg`, what], [`${name}.png`, what]];
  return [
    ['results.json', 'every number of the run (the schema of @prune/report)'],
    ['accuracy_vs_k.csv', 'accuracy per K of every curve, with its interval'],
    ['costs.csv', 'parameters, MACs and latency per K'],
    ...figure('accuracy_vs_k', 'the accuracy figure'),
    ...(results.costs.length > 0 ? [...figure('tradeoff', 'accuracy against cost'), ...figure('costs', 'cost per K')] : []),
    ...(height * width > 1 ? figure('feature_maps', 'the mean feature maps') : []),
  ];
}

/** Links to the run's files, relative to the run folder. */
export function downloadsList(results: Results, base: URL): HTMLElement {
  return h(
    'ul',
    { class: 'downloads' },
    runFiles(results).map(([name, what]) => h('li', {}, h('a', { href: new URL(name, base).href, download: name }, name), ` ${what}`)),
  );
}
