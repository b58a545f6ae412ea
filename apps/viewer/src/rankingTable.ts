import type { CriterionResult, SeedRun } from '@prune/report';
import { h } from './dom';
import { formatAccuracy, formatScore } from './format';

/** The channel ranking of one criterion: score, rank, the K from which the channel is pruned, and a switch. */
export interface RankingTable {
  element: HTMLElement;
  /** Redraws the rows for a criterion (rows in prune order) and the current on/off state. */
  update(criterion: CriterionResult, mask: ArrayLike<number>): void;
}

/** Builds the ranking table of a seed run; `onToggle` switches a channel as the map grid does. */
export function rankingTable(run: SeedRun, onToggle: (channel: number) => void): RankingTable {
  const body = h('tbody');
  const caption = h('caption');
  const table = h(
    'table',
    { class: 'ranking' },
    caption,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'on'),
        h('th', { scope: 'col' }, 'rank'),
        h('th', { scope: 'col' }, 'channel'),
        h('th', { scope: 'col' }, 'score'),
        h('th', { scope: 'col', class: 'wide-only', title: 'pruned in every model with K ≥ this value' }, 'pruned from K'),
        h('th', { scope: 'col', title: 'test pair accuracy of the sweep at that K' }, 'accuracy at K'),
        h('th', { scope: 'col', class: 'wide-only' }, 'mean'),
        h('th', { scope: 'col', class: 'wide-only' }, 'mean |x|'),
        h('th', { scope: 'col', class: 'wide-only', title: 'average percentage of zeros after ReLU' }, 'APoZ'),
      ),
    ),
    body,
  );
  const element = h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Channel ranking table' }, table);
  const rows = new Map<number, { row: HTMLTableRowElement; box: HTMLInputElement }>();
  let shown: CriterionResult | undefined;
  const build = (criterion: CriterionResult): void => {
    caption.textContent = `Channels of ${run.stats.layer} (numbered from 0, as in results.json) in prune order by ${criterion.criterion} (seed ${run.seed}); lower score = pruned first`;
    rows.clear();
    body.replaceChildren(
      ...criterion.order.map((channel, rank) => {
        const box = h('input', { type: 'checkbox', 'aria-label': `Channel ${channel} on`, onchange: () => onToggle(channel) });
        const row = h(
          'tr',
          {},
          h('td', { class: 'switch' }, box),
          h('td', {}, rank + 1),
          h('th', { scope: 'row' }, channel),
          h('td', { class: 'num' }, formatScore(criterion.scores[channel] as number)),
          h('td', { class: 'num wide-only' }, rank + 1),
          h('td', { class: 'num' }, rank + 1 < criterion.accuracy.length ? formatAccuracy(criterion.accuracy[rank + 1] as number) : '—'),
          h('td', { class: 'num wide-only' }, formatScore(run.stats.mean[channel] as number)),
          h('td', { class: 'num wide-only' }, formatScore(run.stats.meanAbs[channel] as number)),
          h('td', { class: 'num wide-only' }, `${((run.stats.apoz[channel] as number) * 100).toFixed(1)}%`),
        );
        rows.set(channel, { row, box });
        return row;
      }),
    );
  };
  return {
    element,
    update(criterion, mask) {
      // Rebuild only when the criterion changes; a toggle patches rows in place so keyboard focus stays put.
      if (criterion !== shown) build(criterion);
      shown = criterion;
      for (const [channel, { row, box }] of rows) {
        const on = mask[channel] !== 0;
        box.checked = on;
        row.classList.toggle('is-off', !on);
      }
    },
  };
}
