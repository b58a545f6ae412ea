import { h } from './dom';

/** The run folder's files worth taking away, as the CLI writes them. */
const FILES: Array<[string, string]> = [
  ['results.json', 'every number of the run (the schema of @prune/report)'],
  ['accuracy_vs_k.csv', 'accuracy per K of every curve'],
  ['costs.csv', 'parameters, MACs and latency per K'],
  ['accuracy_vs_k.svg', 'the accuracy figure'],
  ['accuracy_vs_k.png', 'the accuracy figure'],
  ['tradeoff.svg', 'accuracy against cost'],
  ['tradeoff.png', 'accuracy against cost'],
  ['costs.svg', 'cost per K'],
  ['costs.png', 'cost per K'],
  ['feature_maps.svg', 'the mean feature maps'],
  ['feature_maps.png', 'the mean feature maps'],
];

/** Links to the run's files (only those the folder has: each is checked with a HEAD request). */
export function downloadsList(base: URL): HTMLElement {
  const list = h('ul', { class: 'downloads' });
  void Promise.all(
    FILES.map(async ([name, what]) => {
      const url = new URL(name, base);
      const response = await fetch(url, { method: 'HEAD' }).catch(() => null);
      return response?.ok ? h('li', {}, h('a', { href: url.href, download: name }, name), ` ${what}`) : null;
    }),
  ).then((items) => {
    list.replaceChildren(...items.filter((i): i is HTMLLIElement => i !== null));
    list.dataset.ready = 'true';
  });
  return list;
}
