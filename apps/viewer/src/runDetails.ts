import type { Results } from '@prune/report';
import { h } from './dom';
import { formatAccuracy, formatCount, formatSeconds } from './format';

function keyValueTable(label: string, rows: [string, Node | string][]): HTMLTableElement {
  return h(
    'table',
    { class: 'kv', 'aria-label': label },
    h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))),
  );
}

function configValue(value: unknown): string {
  if (value === null) return '—';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** The run's configuration, backend, data, calibration note, per-seed training results, timings and exports. */
export function runDetails(results: Results, base: URL): HTMLElement {
  const totalTime = results.timings.total ?? Object.values(results.timings).reduce((a, b) => a + b, 0);
  const phases = Object.entries(results.timings).filter(([k]) => k !== 'total');
  const longest = Math.max(...phases.map(([, s]) => s), 1e-9);
  const timings = h(
    'table',
    { class: 'timings', 'aria-label': 'Wall time per phase' },
    h(
      'tbody',
      {},
      phases.map(([phase, seconds]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, phase),
          h('td', { class: 'bar-cell', 'aria-hidden': 'true' }, h('span', { class: 'bar', style: `width:${((seconds / longest) * 100).toFixed(1)}%` })),
          h('td', { class: 'num' }, formatSeconds(seconds)),
        ),
      ),
      h('tr', { class: 'total' }, h('th', { scope: 'row' }, 'total'), h('td', {}), h('td', { class: 'num' }, formatSeconds(totalTime))),
    ),
  );

  const seeds = h(
    'table',
    { class: 'seeds' },
    h('caption', {}, 'Trained model of each seed, on the test pairs'),
    h(
      'thead',
      {},
      h('tr', {}, ['seed', 'accuracy', 'loss', 'AUC', 'parameters', 'epochs', 'model'].map((t) => h('th', { scope: 'col' }, t))),
    ),
    h(
      'tbody',
      {},
      results.seedRuns.map((run) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, run.seed),
          h('td', { class: 'num' }, formatAccuracy(run.test.accuracy)),
          h('td', { class: 'num' }, run.test.loss.toFixed(4)),
          h('td', { class: 'num' }, run.test.auc === null ? '—' : run.test.auc.toFixed(4)),
          h('td', { class: 'num' }, formatCount(run.model.parameters)),
          h('td', { class: 'num' }, run.model.history.length),
          h('td', {}, run.model.reused ? 'reused from cache' : 'trained'),
        ),
      ),
    ),
  );

  const exports = results.exports.length
    ? h(
        'ul',
        { class: 'exports' },
        results.exports.map((e) =>
          h(
            'li',
            {},
            h('a', { href: new URL(/\.json$/.test(e.path) ? e.path : `${e.path.replace(/\/$/, '')}/model.json`, base).href }, e.path),
            ` K = ${e.k} by ${e.criterion} (seed ${e.seed}): ${formatCount(e.params)} parameters, accuracy ${formatAccuracy(e.accuracy)}${e.fineTuned ? ' after fine-tuning' : ''}`,
          ),
        ),
      )
    : h('p', { class: 'muted' }, 'No pruned model was exported.');

  const { config } = results;
  const configRows = Object.entries(config).map(([k, v]) => [k, configValue(v)] as [string, string]);
  const env = results.environment;
  return h(
    'div',
    { class: 'details' },
    h(
      'div',
      { class: 'details-col' },
      h('h3', {}, 'Backend and timings'),
      keyValueTable('Backend', [
        ['backend', h('strong', {}, results.backend.name)],
        ['why', results.backend.reason],
        ...(env ? ([['Node.js', env.node], ['platform', env.platform], ['tfjs', env.tfjs]] as [string, string][]) : []),
        ['created', new Date(results.createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })],
      ]),
      timings,
      h('h3', {}, 'Data and calibration'),
      keyValueTable('Data', [
        ['MNIST source', results.dataset.source],
        ['train', `${formatCount(results.dataset.train.images)} images, ${formatCount(results.dataset.train.pairs)} pairs`],
        ['test', `${formatCount(results.dataset.test.images)} images, ${formatCount(results.dataset.test.pairs)} pairs`],
        ['ranked on', `${formatCount(results.calibration.pairs)} ${results.calibration.source} pairs (${formatCount(results.calibration.images)} images)${results.calibration.heldOut ? ', held out' : ''}`],
      ]),
      h('p', { class: results.calibration.heldOut ? 'note' : 'note warn' }, results.calibration.note),
    ),
    h(
      'div',
      { class: 'details-col' },
      h('h3', {}, 'Seeds'),
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Seeds' }, seeds),
      h('h3', {}, 'Exported pruned models'),
      exports,
      h('h3', {}, 'Configuration'),
      keyValueTable('Configuration', configRows),
    ),
  );
}
