import type { CostRecord, CriterionResult, SeedRun } from '@prune/report';
import { h } from './dom';
import { formatAccuracy, formatCount, formatDelta } from './format';
import type { MaskEvaluation } from './evaluateMask';

/** What the panel shows after an evaluation. */
export interface WhatIfOutcome {
  evaluation: MaskEvaluation;
  mask: Uint8Array;
  backend: string;
  /** How the model was prepared, e.g. "model ready in 1.2 s from the run's cached features". */
  prepared: string;
}

/** The what-if controls (criterion, K, all on) and the live accuracy read-out. */
export interface WhatIfPanel {
  element: HTMLElement;
  /** A one-line summary (accuracy, channels off, time) that stays in view on narrow screens while the maps scroll. */
  summary: HTMLElement;
  /** The chosen criterion (index into the seed run's criteria). */
  criterionIndex(): number;
  /** Puts the K control at a value without firing a change. */
  setK(k: number): void;
  /** Selects a criterion (index into the seed run's criteria) without firing a change. */
  setCriterion(index: number): void;
  /** Shows preparation progress (pairs done of total). */
  progress(done: number, total: number, label: string): void;
  /** Shows that an evaluation is running. */
  busy(mask: Uint8Array): void;
  /** Shows an evaluation's result. */
  show(outcome: WhatIfOutcome): void;
  /** Shows why what-if pruning is unavailable. */
  fail(message: string): void;
  /** Shows the outcome of an export of the current mask (a message, or an error). */
  exported(message: string, ok: boolean): void;
}

/** Whether the channels off in `mask` are exactly the first K of `order` (then the run's sweep has the same model). */
export function matchesSweep(mask: ArrayLike<number>, order: readonly number[]): number | undefined {
  let off = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) off++;
  for (let i = 0; i < off; i++) if (mask[order[i] as number] !== 0) return undefined;
  return off;
}

/**
 * Builds the panel. `onPick(criterionIndex, k)` prunes the K weakest channels of a criterion; `onReset` switches
 * every channel back on.
 */
export function whatIfPanel(
  run: SeedRun,
  /** The legend name of each of the run's curves (two curves of one criterion differ in where they were ranked). */
  labels: readonly string[],
  description: string,
  costs: readonly CostRecord[],
  onPick: (criterionIndex: number, k: number) => void,
  onReset: () => void,
  onExport: () => void,
): WhatIfPanel {
  const channels = run.stats.channels;
  const criterionSelect = h(
    'select',
    { id: 'criterion', name: 'criterion' },
    run.criteria.map((c, i) => h('option', { value: i }, labels[i] ?? c.criterion)),
  );
  const kInput = h('input', { id: 'k', name: 'k', type: 'range', min: 0, max: channels - 1, step: 1, value: 0, 'aria-describedby': 'k-value' });
  const kOutput = h('output', { id: 'k-value', for: 'k' }, '0');
  const pick = (): void => {
    kOutput.textContent = kInput.value;
    onPick(Number(criterionSelect.value), Number(kInput.value));
  };
  kInput.addEventListener('input', pick);
  criterionSelect.addEventListener('change', pick);
  const reset = h('button', { type: 'button', class: 'secondary', onclick: () => onReset() }, 'All channels on');
  const exportButton = h('button', { type: 'button', class: 'secondary', id: 'export-pruned', disabled: true, onclick: () => onExport() }, 'Download the pruned model');
  const exportStatus = h('p', { class: 'export-status muted', id: 'export-status', 'aria-live': 'polite' });

  const accuracy = h('span', { class: 'accuracy-value', id: 'whatif-accuracy' }, '…');
  const delta = h('span', { class: 'delta' });
  const detail = h('p', { class: 'whatif-detail' });
  const sweep = h('p', { class: 'whatif-sweep' });
  const cost = h('p', { class: 'whatif-cost', id: 'whatif-cost' });
  const timing = h('p', { class: 'whatif-timing', id: 'whatif-timing' });
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Preparing the what-if model' });
  const barLabel = h('span', { class: 'muted' });
  const progressRow = h('div', { class: 'progress-row' }, bar, barLabel);
  const result = h(
    'div',
    { class: 'whatif-result', id: 'whatif-result', 'data-state': 'preparing', 'aria-live': 'polite', 'aria-busy': 'true' },
    h('p', { class: 'accuracy-line' }, accuracy, delta),
    h('p', { class: 'muted accuracy-label' }, `test pair accuracy of the masked model on ${description}`),
    cost,
    detail,
    sweep,
    timing,
  );
  const baseline = run.test.accuracy;
  const summary = h('div', { class: 'whatif-summary', 'aria-hidden': 'true' }, '…');

  const element = h(
    'div',
    { class: 'whatif' },
    h(
      'div',
      { class: 'whatif-controls', role: 'group', 'aria-label': 'Prune by criterion' },
      h('label', { for: 'criterion' }, 'Criterion'),
      criterionSelect,
      h('label', { for: 'k' }, 'Prune the K weakest'),
      h('div', { class: 'k-row' }, kInput, kOutput),
      reset,
      exportButton,
      exportStatus,
    ),
    h('div', { class: 'whatif-out' }, progressRow, result),
  );

  return {
    element,
    summary,
    criterionIndex: () => Number(criterionSelect.value),
    setCriterion(index) {
      criterionSelect.value = String(index);
    },
    setK(k) {
      kInput.value = String(k);
      kOutput.textContent = String(k);
    },
    progress(done, total, label) {
      progressRow.hidden = false;
      bar.max = Math.max(total, 1);
      bar.value = done;
      barLabel.textContent = label;
    },
    busy(mask) {
      result.dataset.state = result.dataset.state === 'preparing' ? 'preparing' : 'busy';
      result.setAttribute('aria-busy', 'true');
      result.dataset.off = offList(mask);
      summary.classList.add('is-busy');
    },
    show({ evaluation, mask, backend, prepared }) {
      progressRow.hidden = true;
      const off = offList(mask);
      const offCount = off === '' ? 0 : off.split(',').length;
      accuracy.textContent = formatAccuracy(evaluation.accuracy);
      delta.textContent = offCount ? formatDelta(evaluation.accuracy - baseline) : '';
      delta.classList.toggle('is-up', evaluation.accuracy > baseline);
      detail.textContent =
        offCount === 0
          ? `All ${channels} channels on (${evaluation.correct} of ${evaluation.count} pairs right).`
          : `${offCount} of ${channels} channels off: ${off.split(',').join(', ')} (numbered from 0, as in results.json; ${evaluation.correct} of ${evaluation.count} pairs right).`;
      const base = costs.find((c) => c.k === 0);
      const now = costs.find((c) => c.k === offCount);
      const share = (a: number, b: number): string => `${((a / b) * 100).toFixed(1)}%`;
      cost.textContent =
        base && now
          ? `Pruned model: ${formatCount(now.params)} parameters (${share(now.params, base.params)} of ${formatCount(base.params)}), ${formatCount(now.macs)} MACs per pair (${share(now.macs, base.macs)}).`
          : '';
      cost.dataset.params = now ? String(now.params) : '';
      cost.dataset.macs = now ? String(now.macs) : '';
      exportButton.disabled = false;
      const criterion = run.criteria[Number(criterionSelect.value)] as CriterionResult;
      const k = matchesSweep(mask, criterion.order);
      if (k !== undefined && k < criterion.accuracy.length) {
        const recorded = criterion.accuracy[k] as number;
        const same = formatAccuracy(recorded) === formatAccuracy(evaluation.accuracy);
        sweep.textContent = `The run's sweep at K = ${k} by ${criterion.criterion}: ${formatAccuracy(recorded)}${same ? ' (same)' : ' (differs)'}.`;
      } else {
        sweep.textContent = `A custom mask: not one of the ${criterion.criterion} sweep's models.`;
      }
      timing.textContent = `Recomputed in ${evaluation.ms.toFixed(0)} ms on ${backend}; ${prepared}.`;
      result.dataset.state = 'ready';
      result.dataset.accuracy = String(evaluation.accuracy);
      result.dataset.correct = String(evaluation.correct);
      result.dataset.count = String(evaluation.count);
      result.dataset.off = off;
      result.dataset.ms = evaluation.ms.toFixed(1);
      result.setAttribute('aria-busy', 'false');
      summary.classList.remove('is-busy');
      summary.replaceChildren(h('strong', {}, formatAccuracy(evaluation.accuracy)), ` · ${offCount} off · ${evaluation.ms.toFixed(0)} ms`);
    },
    exported(message, ok) {
      exportStatus.textContent = message;
      exportStatus.classList.toggle('error-text', !ok);
    },
    fail(message) {
      progressRow.hidden = true;
      result.dataset.state = 'error';
      result.setAttribute('aria-busy', 'false');
      accuracy.textContent = '—';
      detail.textContent = '';
      sweep.textContent = '';
      timing.textContent = '';
      detail.append(h('span', { class: 'error-text' }, message));
    },
  };
}

function offList(mask: Uint8Array): string {
  const off: number[] = [];
  mask.forEach((v, c) => {
    if (v === 0) off.push(c);
  });
  return off.join(',');
}
