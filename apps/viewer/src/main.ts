import { costSpec, curveLabel, tradeoffSpec, type Results, type SeedRun } from '@prune/report';
import type { TopLevelSpec } from 'vega-lite';
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
import { downloadsList } from './downloads';
import { exportPruned } from './exportPruned';
import { headlineBlock } from './headline';
import { readViewState, writeViewState } from './urlState';
import type { ViewerData } from './loadRun';
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
  const headline = headlineBlock(results);
  document.title = `prune · ${headline.element.querySelector('h1')?.textContent ?? results.runId}`;
  const run: SeedRun = results.seedRuns[0] as SeedRun;
  const channels = results.layer.channels;
  const mask = new Uint8Array(channels).fill(1);

  // Header: what this run is, at a glance.
  const meanAccuracy = results.seedRuns.reduce((s, r) => s + r.test.accuracy, 0) / results.seedRuns.length;
  const header = h(
    'header',
    { class: 'top' },
    h('p', { class: 'eyebrow' }, `prune · run report · ${results.runId}`),
    headline.element,
    h(
      'ul',
      { class: 'facts' },
      h('li', {}, h('span', {}, 'unpruned accuracy'), h('strong', {}, formatAccuracy(meanAccuracy))),
      h('li', {}, h('span', {}, 'pruned layer'), h('strong', {}, `${results.layer.name} · ${channels} ch`)),
      h('li', {}, h('span', {}, 'criteria'), h('strong', {}, [...new Set(results.summary.map((s) => s.criterion))].join(', '))),
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
      ['tradeoff', 'Trade-off'],
      ['what-if', 'What-if'],
      ['ranking', 'Ranking'],
      ['cost', 'Cost'],
      ['downloads', 'Downloads'],
      ['run', 'Run'],
    ].map(([id, label]) => h('a', { href: `#${id}` }, label as string)),
  );

  const describeCurve = (s: Results['summary'][number]): string =>
    `${s.label}: ${[0, 8, 16, 24, s.k.length - 1].filter((k) => k < s.k.length).map((k) => `K ${k} ${formatAccuracy(s.mean[k] as number)}`).join(', ')}`;
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
  let viewerData: ViewerData | undefined;
  const panel = whatIfPanel(
    run,
    run.criteria.map((c) => curveLabel(c.criterion, c.rankedOn, results.calibration.source)),
    `the ${formatCount(results.dataset.test.pairs)} test pairs`,
    results.costs,
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
    () => void exportMask(),
  );
  const offList = (m: ArrayLike<number>): number[] => Array.from(m).flatMap((v, c) => (v ? [] : [c]));
  async function exportMask(): Promise<void> {
    if (!engine || !viewerData) return;
    const off = offList(mask);
    const shown = document.getElementById('whatif-result')?.dataset.accuracy;
    panel.exported('pruning the model and checking its accuracy…', true);
    try {
      const criterion = run.criteria[panel.criterionIndex()]?.criterion ?? 'mask';
      const k = matchesSweep(mask, run.criteria[panel.criterionIndex()]?.order ?? []);
      const stem = k === undefined ? `pruned-custom-${off.length}off` : `pruned-${criterion}-k${k}`;
      const result = await exportPruned(engine.model, engine.evaluator.layer, channels, off, viewerData, stem);
      const same = shown !== undefined && Math.abs(Number(shown) - result.accuracy) < 5e-5;
      const status = document.getElementById('export-status');
      if (status) status.dataset.accuracy = String(result.accuracy);
      panel.exported(
        `Downloaded ${stem}.json + ${stem}.weights.bin (${formatCount(result.params)} parameters; channels ${off.join(', ') || 'none'} removed). Its accuracy, run as a whole model here: ${formatAccuracy(result.accuracy)}${same ? ', the same as the what-if value' : ` — differs from the what-if value ${shown}`}.`,
        same,
      );
    } catch (error) {
      panel.exported(`Export failed: ${(error as Error).message}`, false);
    }
  }
  const ranks = (): number[] => {
    const order = run.criteria[panel.criterionIndex()]?.order ?? [];
    const r = new Array<number>(channels).fill(0);
    order.forEach((c, i) => (r[c] = i));
    return r;
  };
  function redraw(): void {
    const criterion = run.criteria[panel.criterionIndex()];
    const k = matchesSweep(mask, criterion?.order ?? []);
    const label = criterion ? results.summary.find((s) => s.criterion === criterion.criterion && s.rankedOn === criterion.rankedOn)?.label : undefined;
    // The headline follows a sweep model picked here; all channels on returns it to its default K.
    if (k !== undefined) {
      if (k > 0) headline.update(label, k);
      else headline.update();
    }
    writeViewState(k !== undefined ? { criterion: criterion?.criterion, ...(k > 0 ? { k } : {}) } : { criterion: criterion?.criterion, off: offList(mask) });
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
    const spec = costSpec(results.costs, {
      layer: results.layer.name,
      subtitle: 'channels physically removed; MACs of one forward pass of one pair (both branches)',
      panelWidth,
      height: Math.round(Math.min(panelWidth * 0.8, 220)),
      ...(results.latency ? { latencyBatch: results.latency.batch } : {}),
      ...(narrow ? { title: false } : {}),
    });
    costView?.finalize();
    costBox.replaceChildren();
    costView = await renderChart(costBox, stackWhenNarrow(spec, narrow));
  };
  const tradeoffBox = h('div', { class: 'chart', id: 'tradeoff-chart', role: 'img', 'aria-label': 'Chart of test pair accuracy against the parameters, MACs and latency of the pruned model, one point per K and curve.' });
  let tradeoffView: View | undefined;
  const renderTradeoff = async (): Promise<void> => {
    if (results.costs.length === 0) {
      tradeoffBox.replaceChildren(h('p', { class: 'muted' }, 'This run measured no costs.'));
      return;
    }
    const narrow = tradeoffBox.clientWidth < 640;
    const panelWidth = narrow ? Math.max(180, tradeoffBox.clientWidth - 90) : Math.max(150, Math.min(260, Math.floor((tradeoffBox.clientWidth - 270) / 3)));
    tradeoffView?.finalize();
    tradeoffBox.replaceChildren();
    tradeoffView = await renderChart(tradeoffBox, stackWhenNarrow(tradeoffSpec(results, { panelWidth, height: Math.round(Math.min(panelWidth * 0.8, 220)), ...(narrow ? { title: false, legendColumns: 1, labelLimit: panelWidth - 30 } : {}) }), narrow));
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
    section('tradeoff', 'Accuracy against cost', 'Each point is one K of a curve: the test pair accuracy against the parameters, MACs and latency of the physically pruned model, as a percentage of the unpruned one.', tradeoffBox),
    section('ranking', 'Channel ranking', 'Scores of the chosen criterion; the channel of rank r is pruned in every model with K ≥ r.', table.element),
    section('cost', 'Cost of the pruned model', 'Parameters, multiply-accumulates and measured latency with K channels physically removed.', costBox),
    section('downloads', 'Downloads', 'The run folder’s files: the figures, the CSVs and results.json. The what-if panel downloads the pruned model of its current mask.', downloadsList(results, base)),
    section('run', 'Run', null, runDetails(results, base)),
    ),
    h('footer', {}, 'Made by prune. This page works offline: everything it shows comes from the run folder.'),
  );
  // A link's view: criterion and K (or a custom mask) from the URL.
  const state = readViewState(params, run.criteria.map((c) => c.criterion), channels);
  const fromUrl = state.criterion !== undefined ? run.criteria.findIndex((c) => c.criterion === state.criterion) : -1;
  if (fromUrl >= 0) panel.setCriterion(fromUrl);
  if (state.off) for (const c of state.off) mask[c] = 0;
  else if (state.k !== undefined) {
    panel.setK(state.k);
    for (const c of (run.criteria[panel.criterionIndex()]?.order ?? []).slice(0, state.k)) mask[c] = 0;
  }
  const startK = matchesSweep(mask, run.criteria[panel.criterionIndex()]?.order ?? []);
  if (startK !== undefined) panel.setK(startK);
  redraw();
  await Promise.all([chart.render(), renderCost(), renderTradeoff()]);
  let lastWidth = window.innerWidth;
  window.addEventListener(
    'resize',
    debounce(() => {
      if (window.innerWidth === lastWidth) return;
      lastWidth = window.innerWidth;
      void chart.render();
      void renderCost();
      void renderTradeoff();
    }, 200),
  );

  // What-if: load the model and cache the activations upstream of the cut, then evaluate the current mask.
  try {
    panel.progress(0, 1, 'loading the model and the test pairs…');
    const data = await loadViewerData(results, base, { withFeatures: params.get('features') !== '0' });
    viewerData = data;
    const preferred = params.get('backend') === 'cpu' ? 'cpu' : 'wasm';
    const { backend, note } = await initBackend(preferred);
    backendName = `${backend} (${note})`;
    document.body.dataset.backend = backend;
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

/** A side-by-side (hconcat) spec with its panels stacked instead, for a narrow screen. */
function stackWhenNarrow(spec: TopLevelSpec, narrow: boolean): TopLevelSpec {
  const { hconcat, ...rest } = spec as TopLevelSpec & { hconcat?: unknown[] };
  return (narrow && hconcat ? { ...rest, vconcat: hconcat } : spec) as TopLevelSpec;
}

start().catch((error: unknown) => showError(error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)));
