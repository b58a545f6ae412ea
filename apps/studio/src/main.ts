import './styles.css';
import { io } from '@tensorflow/tfjs-core';
import { CRITERION_NAMES, criterionByName, type CriterionName, type SensitivityResult, type WeightQuantization } from '@prune/core';
import { useBackend, type StudioBackend } from './backend';
import { loadDroppedModel, type DroppedModel } from './droppedModel';
import { readDroppedImages, type DroppedImages } from './droppedImages';
import { Studio, type Measurement, type Setting } from './studio';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const fmt = (n: number): string => n.toLocaleString('en-US');
const change = (after: number, before: number): string => (before === 0 ? '' : ` (${after >= before ? '+' : ''}${(((after - before) / before) * 100).toFixed(1)}%)`);

let studio: Studio | undefined;
let dropped: DroppedModel | undefined;
let modelFiles: File[] = [];
let imageFiles: File[] = [];
let sensitivity: SensitivityResult | undefined;

function status(text: string, state: 'busy' | 'ready' | 'error' = 'busy'): void {
  const el = $('status');
  el.textContent = text;
  el.dataset.state = state;
  el.className = state === 'error' ? 'error-text' : 'muted';
}

function parseList(text: string): number[] {
  return text.split(',').map((v) => Number(v.trim()));
}

function parseScale(text: string): number {
  const [a, b] = text.split('/').map(Number);
  return b === undefined ? a! : a! / b;
}

function renderGroups(): void {
  const s = studio!;
  const table = $('groups') as HTMLTableElement;
  const ratios = sensitivity?.groups[0]?.points.map((p) => p.ratio) ?? [];
  table.tHead!.innerHTML = `<tr><th>group</th><th>sources</th><th>channels</th><th>layers touched</th>${ratios.map((r) => `<th>acc. at −${Math.round(r * 100)}%</th>`).join('')}</tr>`;
  table.tBodies[0]!.innerHTML = s.groups.groups
    .map((g) => {
      const sens = sensitivity?.groups.find((x) => x.group === g.id);
      const cells = ratios.map((r) => {
        const point = sens?.points.find((p) => p.ratio === r);
        return `<td class="num">${point ? point.metric.toFixed(4) : '–'}</td>`;
      });
      const touched = new Set([...g.sources, ...g.consumers].map((m) => m.path)).size;
      return `<tr data-group="${g.id}"><td>${g.id}</td><td>${g.sources.map((x) => x.path).join(', ')}</td><td class="num">${g.channels}</td><td class="num">${touched}</td>${cells.join('')}</tr>`;
    })
    .join('');
  $('groups-summary').textContent =
    `${s.groups.groups.length} groups can be pruned, ${s.groups.refused.length} cannot. ${fmt(s.before.params)} params, ${fmt(s.before.macs)} MACs per example, ` +
    `${s.before.latencyMs.toFixed(2)} ms per predict call${s.before.accuracy !== undefined ? `, accuracy ${s.before.accuracy.toFixed(4)} on ${s.data!.count} images` : ''}.`;
  $('refused').innerHTML = s.groups.refused.length
    ? `<h3>Left alone</h3><ul>${s.groups.refused.map((r) => `<li><code>${r.layer}</code> (${r.className}): ${r.reason}</li>`).join('')}</ul>`
    : '';
  if (sensitivity) $('groups').dataset.sensitivity = 'ready';
}

function renderMeasurement(m: Measurement, setting: Setting): void {
  const s = studio!;
  $('params').textContent = `${fmt(m.params)}${change(m.params, s.before.params)}`;
  $('macs').textContent = `${fmt(m.macs)}${change(m.macs, s.before.macs)}`;
  $('latency').textContent = `${m.latencyMs.toFixed(2)} ms${change(m.latencyMs, s.before.latencyMs)}`;
  $('accuracy').textContent = m.accuracy === undefined ? 'no images' : `${m.accuracy.toFixed(4)} (was ${s.before.accuracy!.toFixed(4)})`;
  $('result-note').textContent = `ratio ${m.ratio.toFixed(4)} (${setting.mode}); ${m.groups.filter((g) => g.after < g.before).length} of ${m.groups.length} groups pruned; latency is the median of 7 predict calls on one example here.`;
  const result = $('result');
  Object.assign(result.dataset, { state: 'ready', mode: setting.mode, amount: String(setting.amount), params: String(m.params), macs: String(m.macs), latency: String(m.latencyMs), ratio: String(m.ratio) });
  if (m.accuracy !== undefined) result.dataset.accuracy = String(m.accuracy);
}

let running = false;
let pending: Setting | undefined;

/** Runs the latest setting; slider moves during a run queue only the last one. */
async function applySetting(setting: Setting): Promise<void> {
  pending = setting;
  if (running) return;
  running = true;
  try {
    while (pending) {
      const next = pending;
      pending = undefined;
      $('result').dataset.state = 'busy';
      renderMeasurement(await studio!.apply(next), next);
      await updateSize();
    }
  } catch (error) {
    status((error as Error).message, 'error');
    $('result').dataset.state = 'error';
  } finally {
    running = false;
  }
}

function currentSetting(): Setting {
  return { mode: ($('mode') as HTMLSelectElement).value as Setting['mode'], amount: Number(($('amount') as HTMLInputElement).value) / 100 };
}

function quantizeChoice(): WeightQuantization | undefined {
  return (($('quantize') as HTMLSelectElement).value || undefined) as WeightQuantization | undefined;
}

async function updateSize(): Promise<void> {
  const { bytes, accuracy } = await studio!.artifacts(quantizeChoice());
  const el = $('size');
  el.textContent = `${fmt(dropped!.bytes)} bytes dropped → ${fmt(bytes)} bytes to download${change(bytes, dropped!.bytes)}${accuracy !== undefined ? `; accuracy with ${quantizeChoice()} weights ${accuracy.toFixed(4)}` : ''}`;
  Object.assign(el.dataset, { before: String(dropped!.bytes), after: String(bytes), ...(accuracy !== undefined ? { accuracy: String(accuracy) } : {}) });
}

async function load(): Promise<void> {
  if (modelFiles.length === 0) return;
  studio?.dispose();
  studio = undefined;
  sensitivity = undefined;
  for (const id of ['groups-card', 'prune-card', 'download-card']) $(id).hidden = true;
  try {
    status('starting the backend…');
    const backend = await useBackend(($('backend') as HTMLSelectElement).value as StudioBackend);
    status(`loading ${modelFiles.map((f) => f.name).join(', ')}…`);
    dropped = await loadDroppedModel(modelFiles);
    let data: DroppedImages | undefined;
    if (imageFiles.length > 0) {
      const preprocess = { scale: parseScale(($('scale') as HTMLInputElement).value), mean: parseList(($('mean') as HTMLInputElement).value), std: parseList(($('std') as HTMLInputElement).value) };
      data = await readDroppedImages(imageFiles, dropped.model, preprocess, (done, total) => status(`reading images: ${done}/${total}`));
    }
    status('measuring the model…');
    studio = await Studio.create(dropped.model, data);
    const criteria = $('criterion') as HTMLSelectElement;
    criteria.innerHTML = CRITERION_NAMES.filter((n) => data || criterionByName(n).requires.length === 0)
      .map((n) => `<option value="${n}"${n === 'l1-norm' ? ' selected' : ''}>${n}</option>`)
      .join('');
    await studio.score('l1-norm');
    renderGroups();
    $('sensitivity-button').hidden = !data;
    for (const id of ['groups-card', 'prune-card', 'download-card']) $(id).hidden = false;
    status(`'${dropped.model.name}' loaded from ${dropped.files.join(', ')} (${fmt(dropped.bytes)} bytes); ${backend.backend} backend: ${backend.note}${data ? `; ${data.count} images in ${data.classes.length} classes` : ''}`, 'ready');
    await applySetting(currentSetting());
  } catch (error) {
    status((error as Error).message, 'error');
  }
}

function wireDrop(zone: HTMLElement, input: HTMLInputElement, take: (files: File[]) => void): void {
  input.addEventListener('change', () => take([...(input.files ?? [])]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    take([...(e.dataTransfer?.files ?? [])]);
  });
}

wireDrop($('model-drop'), $('model-files'), (files) => {
  modelFiles = files;
  void load();
});
wireDrop($('image-drop'), $('image-files'), (files) => {
  imageFiles = files;
  void load();
});
$('amount').addEventListener('input', () => {
  const s = currentSetting();
  $('amount-text').textContent = `${Math.round(s.amount * 100)}%${s.mode === 'uniform' || s.mode === 'global' ? ' of channels' : ` less ${s.mode}`}`;
  if (studio) void applySetting(s);
});
$('mode').addEventListener('change', () => studio && void applySetting(currentSetting()));
$('criterion').addEventListener('change', async () => {
  if (!studio) return;
  status('scoring channels…');
  await studio.score(($('criterion') as HTMLSelectElement).value as CriterionName);
  status('scored', 'ready');
  await applySetting(currentSetting());
});
$('quantize').addEventListener('change', () => studio && void updateSize());
$('sensitivity-button').addEventListener('click', async () => {
  if (!studio) return;
  try {
    sensitivity = await studio.sensitivity((done, total) => status(`sensitivity: group ${done}/${total}`));
    renderGroups();
    status('sensitivity measured', 'ready');
  } catch (error) {
    status((error as Error).message, 'error');
  }
});
$('download').addEventListener('click', async () => {
  if (!studio) return;
  const { artifacts } = await studio.artifacts(quantizeChoice());
  // tfjs's own browser download handler ('downloads://'): model.json and model.weights.bin, as every tfjs loader reads them.
  const [handler] = io.getSaveHandlers('downloads://model');
  await handler!.save!(artifacts);
  $('download').dataset.done = 'true';
});
