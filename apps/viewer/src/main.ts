import { costSpec, type Results, type SeedRun } from '@prune/report';
import type { View } from 'vega';
import { accuracyChart } from './accuracyChart';
import { h } from './dom';
import { featureMapGrid } from './featureMapGrid';
import { formatAccuracy, formatCount } from './format';
import { loadResults, loadViewerData } from './loadRun';
import { evaluateMask } from './evaluateMask';
import { rankingTable } from './rankingTable';
import { runDetails } from './runDetails';
import { renderChart } from './vegaChart';
import { initBackend, prepareWhatIf, type WhatIfEngine } from './whatIfEngine';
import { matchesSweep, whatIfPanel } from './whatIfPanel';
import './styles.css';

const app = document.getElementById('app') as HTMLElement;
const params = new URLSearchParams(location.search);
/** The run folder: the page's own folder, or ?run=<relative folder>. */
const base = new URL(params.get('run')?.replace(/\/?$/, '/') ?? './', location.href);

function section(id: string, title: string, intro: string | null, ...body: Node[]): HTMLElement {
  return h('section', { id, class: 'card', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), intro ? h('p', { class: 'intro' }, intro) : null, ...body);
}

function showError(message: string): void {
  app.replaceChildren(
    h(
      'main',
      { class: 'card error', role: 'alert' },
      h('h2', {}, 'This run could not be shown'),
      h('pre', {}, message),
      h('p', {}, 'Open the page through a web server from a run folder (pnpm viewer serves the latest run), not as a file.'),
    ),
  );
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

async function start(): Promise<void> {
  let results: Results;
  try {
    results = await loadResults(base);
  } catch (error) {
    showError((error as Error).message);
    return;
  }
  document.title = `prune · ${results.runId}`;
  const run: SeedRun = results.seedRuns[0] as SeedRun;
  const channels = results.layer.channels;
  const mask = new Uint8Array(channels).fill(1);

  // Header: what this run is, at a glance.
  const meanAccuracy = results.seedRuns.reduce((s, r) => s + r.test.accuracy, 0) / results.seedRuns.length;
  const header = h(
    'header',
    { class: 'top' },
    h('p', { class: 'eyebrow' }, 'prune · run report'),
    h('h1', {}, results.runId),
    h(
      'ul',
      { class: 'facts' },
      h('li', {}, h('span', {}, 'unpruned accuracy'), h('strong', {}, formatAccuracy(meanAccuracy))),
      h('li', {}, h('span', {}, 'pruned layer'), h('strong', {}, `${results.layer.name} · ${channels} ch`)),
      h('li', {}, h('span', {}, 'criteria'), h('strong', {}, results.summary.map((s) => s.criterion).join(', '))),
      h('li', {}, h('span', {}, results.seedRuns.length > 1 ? 'seeds' : 'seed'), h('strong', {}, results.seedRuns.map((r) => r.seed).join(', '))),
      h('li', {}, h('span', {}, 'test pairs'), h('strong', {}, formatCount(results.dataset.test.pairs))),
      h('li', {}, h('span', {}, 'backend'), h('strong', {}, results.backend.name)),
    ),
  );
  const nav = h(
    'nav',
    { class: 'toc', 'aria-label': 'Sections' },
    [
      ['accuracy', 'Accuracy'],
      ['what-if', 'What-if'],
      ['ranking', 'Ranking'],
      ['cost', 'Cost'],
      ['run', 'Run'],
    ].map(([id, label]) => h('a', { href: `#${id}` }, label as string)),
  );

  const describeCurve = (s: Results['summary'][number]): string =>
    `${s.criterion}: ${[0, 8, 16, 24, s.k.length - 1].filter((k) => k < s.k.length).map((k) => `K ${k} ${formatAccuracy(s.mean[k] as number)}`).join(', ')}`;
  const accuracyBox = h('div', {
    class: 'chart',
    id: 'accuracy-chart',
    role: 'img',
    'aria-label': `Chart of test pair accuracy against channels pruned. ${results.summary.map(describeCurve).join('. ')}.`,
  });
  const chart = accuracyChart(accuracyBox, results);

  // What-if pruning: criterion/K controls, the map grid and the table all edit one mask.
  let engine: WhatIfEngine | undefined;
  let backendName = '';
  let prepared = '';
  let pending = false;
  let running = false;
  const onToggle = (c: number): void => {
    mask[c] = mask[c] ? 0 : 1;
    changed();
  };
  const grid = featureMapGrid({ layer: run.stats.layer, meanMap: run.stats.meanMap, mapShape: run.stats.mapShape, images: run.stats.images }, onToggle);
  const table = rankingTable(run, onToggle);
  const panel = whatIfPanel(
    run,
    `the ${formatCount(results.dataset.test.pairs)} test pairs`,
    (criterionIndex, k) => {
      const order = run.criteria[criterionIndex]?.order ?? [];
      mask.fill(1);
      for (const c of order.slice(0, k)) mask[c] = 0;
      changed();
    },
    () => {
      mask.fill(1);
      panel.setK(0);
      changed();
    },
  );
  const ranks = (): number[] => {
    const order = run.criteria[panel.criterionIndex()]?.order ?? [];
    const r = new Array<number>(channels).fill(0);
    order.forEach((c, i) => (r[c] = i));
    return r;
  };
  function redraw(): void {
    const criterion = run.criteria[panel.criterionIndex()];
    grid.update(mask, ranks(), criterion?.criterion ?? '');
    if (criterion) table.update(criterion, mask);
  }
  function changed(): void {
    redraw();
    const k = matchesSweep(mask, run.criteria[panel.criterionIndex()]?.order ?? []);
    if (k !== undefined) panel.setK(k);
    panel.busy(mask);
    pending = true;
    void evaluateLoop();
  }
  async function evaluateLoop(): Promise<void> {
    if (running || !engine) return;
    running = true;
    try {
      while (pending) {
        // Let the page paint its busy state and fold quick successive changes into one evaluation.
        await new Promise((resolve) => setTimeout(resolve, 0));
        pending = false;
        const snapshot = mask.slice();
        const evaluation = evaluateMask(engine.evaluator, snapshot);
        if (!pending) {
          panel.show({ evaluation, mask: snapshot, backend: backendName, prepared });
          const off = snapshot.reduce((n, v) => n + (v ? 0 : 1), 0);
          const custom = matchesSweep(snapshot, run.criteria[panel.criterionIndex()]?.order ?? []) === undefined;
          await chart.mark(off === 0 ? null : { k: off, accuracy: evaluation.accuracy, custom });
        }
      }
    } catch (error) {
      panel.fail(`Evaluation failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }

  const lastCost = results.costs[results.costs.length - 1];
  const firstCost = results.costs[0];
  const costBox = h('div', {
    class: 'chart',
    id: 'cost-chart',
    role: 'img',
    'aria-label':
      firstCost && lastCost
        ? `Chart of the pruned model's cost against K: parameters from ${formatCount(firstCost.params)} at K ${firstCost.k} to ${formatCount(lastCost.params)} at K ${lastCost.k}; MACs per pair from ${formatCount(firstCost.macs)} to ${formatCount(lastCost.macs)}.`
        : 'No costs were measured.',
  });
  let costView: View | undefined;
  const renderCost = async (): Promise<void> => {
    if (results.costs.length === 0) {
      costBox.replaceChildren(h('p', { class: 'muted' }, 'This run measured no costs.'));
      return;
    }
    const panels = results.costs.some((c) => c.latencyMs !== null) ? 3 : 2;
    const narrow = costBox.clientWidth < 640;
    // Side by side on a wide screen; on a narrow one the same panels stacked.
    const panelWidth = narrow ? Math.max(180, costBox.clientWidth - 90) : Math.max(150, Math.min(260, Math.floor((costBox.clientWidth - 90 * panels) / panels)));
    const spec = costSpec(results.costs, { layer: results.layer.name, subtitle: 'channels physically removed; MACs of one forward pass of one pair (both branches)', panelWidth, height: Math.round(Math.min(panelWidth * 0.8, 220)) });
    const { hconcat, ...rest } = spec as typeof spec & { hconcat?: unknown[] };
    const laidOut = (narrow && hconcat ? { ...rest, vconcat: hconcat } : spec) as typeof spec;
    costView?.finalize();
    costBox.replaceChildren();
    costView = await renderChart(costBox, laidOut);
  };

  const seedNote =
    results.seedRuns.length > 1 ? h('p', { class: 'muted' }, `Maps, ranking and what-if use seed ${run.seed}; the chart shows every seed.`) : null;
  app.replaceChildren(
    header,
    nav,
    h(
      'main',
      {},
    section('accuracy', 'Accuracy vs channels pruned', `Test pair accuracy after zeroing the K weakest channels of ${results.layer.name}, for every criterion${results.seedRuns.length > 1 ? ' (mean ± std over seeds, thin lines = single seeds)' : ''}. Hover for values; the black diamond is the what-if model below.`, accuracyBox),
    section(
      'what-if',
      'What-if pruning',
      'Switch channels off or on (click a map, or use the arrow keys and Space), or prune the K weakest channels of a criterion. The accuracy is recomputed in this browser from the trained model.',
      ...(seedNote ? [seedNote] : []),
      h(
        'div',
        { class: 'whatif-layout' },
        h('div', { class: 'whatif-side' }, panel.element),
        h('div', { class: 'whatif-maps' }, h('h3', { id: 'maps-title' }, `Mean feature maps of ${run.stats.layer}`), grid.element, panel.summary),
      ),
    ),
    section('ranking', 'Channel ranking', 'Scores of the chosen criterion; the channel of rank r is pruned in every model with K ≥ r.', table.element),
    section('cost', 'Cost of the pruned model', 'Parameters, multiply-accumulates and measured latency with K channels physically removed.', costBox),
    section('run', 'Run', null, runDetails(results, base)),
    ),
    h('footer', {}, 'Made by prune. This page works offline: everything it shows comes from the run folder.'),
  );
  redraw();
  await Promise.all([chart.render(), renderCost()]);
  let lastWidth = window.innerWidth;
  window.addEventListener(
    'resize',
    debounce(() => {
      if (window.innerWidth === lastWidth) return;
      lastWidth = window.innerWidth;
      void chart.render();
      void renderCost();
    }, 200),
  );

  // What-if: load the model and cache the activations upstream of the cut, then evaluate the current mask.
  try {
    panel.progress(0, 1, 'loading the model and the test pairs…');
    const data = await loadViewerData(results, base, { withFeatures: params.get('features') !== '0' });
    const preferred = params.get('backend') === 'cpu' ? 'cpu' : 'wasm';
    const { backend } = await initBackend(preferred);
    backendName = backend;
    engine = await prepareWhatIf(data, (done, total) => panel.progress(done, total, `computing ${data.index.layer} activations: batch ${done} of ${total} (${backend})`));
    document.body.dataset.whatif = 'ready';
    document.body.dataset.whatifSource = engine.source;
    prepared = `model ready in ${(engine.prepareMs / 1000).toFixed(1)} s (${engine.source === 'features' ? "the run's cached features" : 'features from the test images'}, ${engine.evaluator.path === 'linear-consumer' ? 'per-channel contributions at the first dense layer' : 'everything after the layer per change'})`;
    pending = true;
    panel.busy(mask);
    await evaluateLoop();
  } catch (error) {
    panel.fail((error as Error).message);
    document.body.dataset.whatif = 'error';
  }
}

start().catch((error: unknown) => showError(error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)));
