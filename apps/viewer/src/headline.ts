import { chooseHeadline, controlRows, type Headline, type Results } from '@prune/report';
import { h } from './dom';
import { formatAccuracy } from './format';

const percent = (fraction: number): string => `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;

/** The headline sentence for a choice of curve and K. */
export function headlineText(results: Results, headline: Headline): string {
  const latency = headline.latencyMs;
  const saved = [
    headline.params ? `${percent(headline.params.saved)} of the parameters` : null,
    headline.macs ? `${percent(headline.macs.saved)} of the MACs` : null,
    latency && latency.saved >= 0 ? `${percent(latency.saved)} of the latency` : null,
  ].filter((s): s is string => s !== null);
  const lost = headline.lost >= 0 ? `for ${(headline.lost * 100).toFixed(2)} points of accuracy` : `and gains ${(-headline.lost * 100).toFixed(2)} points of accuracy`;
  const what = `Pruning ${headline.k} of ${headline.channels} ${results.layer.name} channels by ${headline.curve}`;
  const accuracy = `(${formatAccuracy(headline.baseline)} → ${formatAccuracy(headline.accuracy)})`;
  // A timed latency can grow (narrow layers can fall off a backend's fast kernels): said as such, never "saves -50%".
  const slower = latency && latency.saved < 0 ? `; its measured latency grew ${percent(-latency.saved)} (${ms(latency.before)} → ${ms(latency.after)})` : '';
  const saves = saved.length ? ` saves ${listJoin(saved)}` : '';
  return `${what}${saves} ${lost} ${accuracy}${slower}.`;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

function listJoin(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** How the chosen curve compares with the random control and the oracle at K, in one sentence; null without controls. */
export function controlsText(results: Results, headline: Headline): string | null {
  const rows = controlRows(results).filter((r) => r.k === headline.k);
  const random = rows.find((r) => r.series.startsWith('random'));
  const oracle = rows.find((r) => !r.series.startsWith('random'));
  const parts: string[] = [];
  if (random) {
    const verdict = headline.accuracy < random.lo ? 'below every random order' : headline.accuracy < random.mean ? 'below the random control’s mean' : headline.accuracy > random.hi ? 'above every random order' : 'above the random control’s mean';
    parts.push(`at K = ${headline.k} it is ${verdict} (random: mean ${formatAccuracy(random.mean)}, ${formatAccuracy(random.lo)}–${formatAccuracy(random.hi)} over ${random.curves} orders)`);
  }
  if (oracle) parts.push(`the greedy oracle reaches ${formatAccuracy(oracle.mean)}`);
  return parts.length ? `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()) : null;
}

/** The page's headline: the sentence, the rule that chose K, and the controls' verdict; `update` follows the what-if choice. */
export function headlineBlock(results: Results): { element: HTMLElement; update(curve?: string, k?: number): void } {
  const title = h('h1', { id: 'headline' });
  const rule = h('p', { class: 'headline-rule muted' });
  const verdict = h('p', { class: 'headline-verdict' });
  const element = h('div', { class: 'headline' }, title, verdict, rule);
  const update = (curve?: string, k?: number): void => {
    const headline = chooseHeadline(results, { ...(curve !== undefined ? { curve } : {}), ...(k !== undefined ? { k } : {}) });
    if (!headline) {
      title.textContent = `prune run ${results.runId}`;
      return;
    }
    title.textContent = headlineText(results, headline);
    element.dataset.k = String(headline.k);
    element.dataset.curve = headline.curve;
    const latency = headline.latencyMs ? '' : ' (latency not timed at this K)';
    rule.textContent = `K = ${headline.k}: ${k === undefined ? headline.rule : 'chosen in the what-if panel'}${latency}. Accuracy is the mean over ${results.seedRuns.length} seed${results.seedRuns.length > 1 ? 's' : ''} on ${results.dataset.test.pairs} test pairs; costs are of the physically pruned model.`;
    const text = controlsText(results, headline);
    verdict.textContent = text ?? '';
    verdict.hidden = text === null;
  };
  update();
  return { element, update };
}
