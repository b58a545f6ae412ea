// Whole-model pruning on the wasm backend:
//  1. the full MobileNetV2 1.0 (224×224, 3,538,984 params), 30% uniform by l1-norm: plan (planPruning) and rebuild
//     (planSurgery + rebuildPruned) timed apart and in total, medians after a warm-up, against two anchors: one
//     forward pass on a batch of 1, and the "naive" per-layer loop users had before (pruneChannels once per group);
//     then a profile of where the rebuild's time goes;
//  2. the lab's Siamese model, 30% global by l1-norm, with the per-group report;
//  3. a sensitivity analysis of every group of the zoo's ResNet-18-style model at 4 ratios, against one evaluation
//     pass over the same data.
// Timings depend on the load of the (shared) machine: the load average is printed at the start and the end.
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { models, type LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '@prune/backend';
import { createSiameseModel } from '@prune/siamese';
import { MOBILENET_V2_FULL, ZOO } from '@prune/test-zoo';
import {
  channelGroups,
  countMacs,
  countParams,
  l1NormImportance,
  maskWeakest,
  measureLatency,
  naiveSweep,
  planPruning,
  planSurgery,
  pruneChannels,
  pruneModel,
  rankChannels,
  scoreChannels,
  sensitivityAnalysis,
  type SurgeryPlan,
} from '../src/index';
import { rebuildPruned } from '../src/surgery/pruneChannels';
import { setCutWeights } from '../src/surgery/cutWeights';
import { findLayerConfig, modelTopology, type JsonObject } from '../src/surgery/modelTopology';
import { leafLayers, releaseSharedLayers } from '../src/graph/modelTree';

const RATIO = 0.3;
const RUNS = 5; // timed runs of each MobileNetV2 phase, after one warm-up
const NAIVE_RUNS = 3;
const TARGET_S = 5;

const now = (): number => performance.now();
const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (v: number): string => `${v.toFixed(0)} ms`;
const load = (): string => `${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`;
const fmt = (n: number): string => n.toLocaleString('en-US');

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

function predictValues(model: LayersModel, inputs: tf.Tensor | tf.Tensor[]): Float32Array {
  const out = model.predict(inputs) as tf.Tensor;
  const values = Float32Array.from(out.dataSync());
  out.dispose();
  return values;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/**
 * The anchor: what a user wrote before pruneModel existed — score each group, prune it, rebuild, next group.
 * Groups are taken last to first so each is scored on weights its upstream cuts have not touched yet (the same
 * scores pruneModel computes on the unpruned model, so the same channels go).
 */
async function naivePrune(model: LayersModel, ratio: number): Promise<LayersModel> {
  const { groups } = channelGroups(model);
  let current = model;
  for (const group of [...groups].reverse()) {
    const scores = await scoreChannels(l1NormImportance(), { model: current, layer: group.id });
    const k = Math.min(group.channels - 1, Math.floor(ratio * group.channels + 1e-9));
    if (k === 0) continue;
    const next = await pruneChannels(current, maskWeakest(group.id, rankChannels(scores), k));
    if (current !== model) current.dispose();
    current = next;
  }
  return current;
}

/** A config change as rebuildPruned applies it (benchmark copy, for the profile). */
function applyResize(topology: JsonObject, plan: SurgeryPlan): void {
  for (const s of plan.layers) {
    if (s.resize === undefined) continue;
    const config = findLayerConfig(topology, s.path);
    if (s.resize.field === 'targetShape') {
      const shape = (config['target_shape'] ?? config['targetShape']) as number[];
      shape[shape.length - 1] = s.resize.to;
    } else config[s.resize.field] = s.resize.to;
  }
}

/** Every initializer in a serialised topology replaced by Zeros: what modelFromJSON costs without random init. */
function zeroInitialisers(node: unknown): void {
  if (Array.isArray(node)) node.forEach(zeroInitialisers);
  else if (node !== null && typeof node === 'object') {
    const obj = node as JsonObject;
    for (const [key, value] of Object.entries(obj)) {
      if (/_initializer$/.test(key) && value !== null && typeof value === 'object') obj[key] = { class_name: 'Zeros', config: {} };
      else zeroInitialisers(value);
    }
  }
}

/** The phases of rebuildPruned, timed one by one (same steps, benchmark copy). */
async function profileRebuild(model: LayersModel, plan: SurgeryPlan): Promise<Record<string, number>> {
  const t: Record<string, number> = {};
  let s = now();
  const topology = modelTopology(model);
  applyResize(topology, plan);
  t['toJSON + config edit'] = now() - s;
  const zeroTopology = structuredClone(topology);
  zeroInitialisers(zeroTopology);
  s = now();
  const pruned = await models.modelFromJSON({ modelTopology: topology } as Parameters<typeof models.modelFromJSON>[0]);
  releaseSharedLayers(pruned);
  t['modelFromJSON (with initialisers)'] = now() - s;
  s = now();
  const zeroed = await models.modelFromJSON({ modelTopology: zeroTopology } as Parameters<typeof models.modelFromJSON>[0]);
  t['  same, every initialiser = Zeros'] = now() - s;
  zeroed.dispose();
  // Reading every weight (dataSync is a copy out of the wasm heap) apart from the cut loop.
  s = now();
  for (const { layer } of leafLayers(model)) for (const w of layer.getWeights()) w.dataSync();
  t['  dataSync of every weight alone'] = now() - s;
  const cutsByPath = new Map(plan.layers.map((x) => [x.path, x.cuts]));
  const fresh = new Map(leafLayers(pruned).map((e) => [e.path, e.layer]));
  s = now();
  for (const { path, layer } of leafLayers(model)) {
    if (layer.weights.length > 0) setCutWeights(fresh.get(path)!, layer, path, cutsByPath.get(path) ?? [], 'remove');
  }
  t['setCutWeights (dataSync + JS copy + setWeights)'] = now() - s;
  pruned.dispose();
  return t;
}

async function mobileNet(): Promise<void> {
  console.log(`\n## 1. MobileNetV2 1.0, 224×224×3, ${RATIO * 100}% uniform, l1-norm\n`);
  let s = now();
  const model = ZOO.mobilenetV2.build(MOBILENET_V2_FULL);
  const buildMs = now() - s;
  const params0 = countParams(model).total;
  const macs0 = countMacs(model).macs;
  console.log(`built in ${ms(buildMs)}: ${fmt(params0)} params, ${fmt(macs0)} MACs per image, ${model.layers.length} layers`);
  const options = { ratio: RATIO } as const;

  // Anchor 1: one forward pass, batch of 1.
  const image = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 5);
  const forward = await measureLatency(model, image, { runs: 10, warmup: 3 });

  // One warm-up, then RUNS timed runs of each phase.
  const phases: { groups: number[]; scoring: number[]; plan: number[]; surgeryPlan: number[]; rebuild: number[]; total: number[] } = {
    groups: [], scoring: [], plan: [], surgeryPlan: [], rebuild: [], total: [],
  };
  let lastPlan: Awaited<ReturnType<typeof planPruning>> | undefined;
  let pruned: LayersModel | undefined;
  for (let run = 0; run <= RUNS; run += 1) {
    const t0 = now();
    const plan = await planPruning(model, options);
    const t1 = now();
    const surgery = planSurgery(model, plan.masks);
    const t2 = now();
    const result = await rebuildPruned(model, surgery);
    const t3 = now();
    // Parts of the plan, timed apart: group discovery alone, and scoring every group alone.
    const g0 = now();
    const { groups } = channelGroups(model);
    const g1 = now();
    for (const g of groups) await scoreChannels(l1NormImportance(), { model, layer: g.id });
    const g2 = now();
    if (run > 0) {
      phases.plan.push(t1 - t0);
      phases.surgeryPlan.push(t2 - t1);
      phases.rebuild.push(t3 - t2);
      phases.total.push(t3 - t0);
      phases.groups.push(g1 - g0);
      phases.scoring.push(g2 - g1);
    }
    if (pruned !== undefined) pruned.dispose();
    pruned = result;
    lastPlan = plan;
  }
  const plan = lastPlan!;

  // pruneModel end to end (adds the report: params/MACs of both models and the group members).
  const endToEnd: number[] = [];
  let report: Awaited<ReturnType<typeof pruneModel>>['report'] | undefined;
  for (let run = 0; run < RUNS; run += 1) {
    s = now();
    const r = await pruneModel(model, options);
    endToEnd.push(now() - s);
    report = r.report;
    r.model.dispose();
  }

  // Anchor 2: the naive per-group loop.
  const naive: number[] = [];
  let naiveModel: LayersModel | undefined;
  for (let run = 0; run < NAIVE_RUNS; run += 1) {
    s = now();
    const m = await naivePrune(model, RATIO);
    naive.push(now() - s);
    if (naiveModel !== undefined) naiveModel.dispose();
    naiveModel = m;
  }

  const params1 = countParams(pruned!).total;
  const macs1 = countMacs(pruned!).macs;
  const same = maxAbsDiff(predictValues(pruned!, image), predictValues(naiveModel!, image));
  const removed = plan.groups.reduce((a, g) => a + g.pruned.length, 0);
  const channels = plan.groups.reduce((a, g) => a + g.channels, 0);
  const total = median(phases.total);

  console.log(`groups: ${plan.groups.length} prunable, ${plan.masks.length} pruned, ${plan.refused.length} refused, ${plan.excluded.length} excluded; ${removed} of ${channels} channels removed`);
  for (const r of plan.refused) console.log(`  refused: ${r.layer} (${r.className}): ${r.reason}`);
  console.log(`params: ${fmt(params0)} → ${fmt(params1)} (${(params1 / params0).toFixed(3)}); MACs/image: ${fmt(macs0)} → ${fmt(macs1)} (${(macs1 / macs0).toFixed(3)})`);
  console.log(`report totals agree: params ${report!.totals.params.after === params1 ? 'yes' : 'NO'}, MACs ${report!.totals.macs.after === macs1 ? 'yes' : 'NO'}\n`);
  console.log(`median of ${RUNS} runs after a warm-up:`);
  table(
    ['phase', 'median', 'min', 'max'],
    [
      ['plan (planPruning: groups + scoring + allocation)', phases.plan],
      ['  of which channelGroups alone', phases.groups],
      ['  of which scoring every group alone (l1)', phases.scoring],
      ['surgery plan (planSurgery)', phases.surgeryPlan],
      ['rebuild (rebuildPruned)', phases.rebuild],
      ['total (plan + surgery plan + rebuild)', phases.total],
      ['pruneModel end to end (with report)', endToEnd],
    ].map(([name, v]) => [name as string, ms(median(v as number[])), ms(Math.min(...(v as number[]))), ms(Math.max(...(v as number[])))]),
  );
  console.log(`\ntarget ≤ ${TARGET_S} s on this machine: ${median(endToEnd) <= TARGET_S * 1000 && total <= TARGET_S * 1000 ? 'yes' : 'no'} (total ${(total / 1000).toFixed(2)} s, pruneModel ${(median(endToEnd) / 1000).toFixed(2)} s)`);
  console.log(`anchor 1: one forward pass, batch 1: median ${forward.medianMs.toFixed(1)} ms (min ${forward.minMs.toFixed(1)}); pruneModel = ${(median(endToEnd) / forward.medianMs).toFixed(1)} forward passes`);
  console.log(`anchor 2: naive loop (pruneChannels once per group, ${plan.masks.length} rebuilds): median of ${NAIVE_RUNS} ${ms(median(naive))} (${naive.map((v) => v.toFixed(0)).join(', ')} ms)`);
  console.log(`  pruneModel speed-up over the naive loop: ${(median(naive) / median(endToEnd)).toFixed(1)}x; same model: max |pruneModel − naive| on one image = ${same.toExponential(2)}`);

  // Where the rebuild's time goes.
  const surgery = planSurgery(model, plan.masks);
  const profiles: Record<string, number>[] = [];
  for (let run = 0; run < 3; run += 1) profiles.push(await profileRebuild(model, surgery));
  console.log(`\nrebuild profile (median of 3; the indented rows are side measurements, not parts of the sum):`);
  const keys = Object.keys(profiles[0]!);
  table(['rebuild phase', 'median'], keys.map((k) => [k, ms(median(profiles.map((p) => p[k]!)))]));
  const sum = keys.filter((k) => !k.startsWith('  ')).reduce((a, k) => a + median(profiles.map((p) => p[k]!)), 0);
  console.log(`sum of the phases: ${ms(sum)} (rebuildPruned median ${ms(median(phases.rebuild))}); ${surgery.layers.length} layers cut`);

  pruned!.dispose();
  naiveModel!.dispose();
  image.dispose();
  model.dispose();
}

async function siamese(): Promise<void> {
  console.log(`\n## 2. The lab's Siamese model (seed 42), ${RATIO * 100}% global, l1-norm\n`);
  const model = createSiameseModel({ seed: 42 });
  const times: number[] = [];
  let result: Awaited<ReturnType<typeof pruneModel>> | undefined;
  for (let run = 0; run <= RUNS; run += 1) {
    const s = now();
    const r = await pruneModel(model, { ratio: RATIO, strategy: 'global' });
    if (run > 0) times.push(now() - s);
    result?.model.dispose();
    result = r;
  }
  const { report, steps } = result!;
  table(
    ['group', 'channels', 'removed', 'params (group layers)', 'MACs/pair (group layers)'],
    report.groups.map((g) => [
      g.group,
      `${g.channels.before} → ${g.channels.after}`,
      `${(((g.channels.before - g.channels.after) / g.channels.before) * 100).toFixed(0)}%`,
      `${fmt(g.params.before)} → ${fmt(g.params.after)}`,
      `${fmt(g.macs.before)} → ${fmt(g.macs.after)}`,
    ]),
  );
  const removed = report.groups.reduce((a, g) => a + g.channels.before - g.channels.after, 0);
  const channels = report.groups.reduce((a, g) => a + g.channels.before, 0);
  const t = report.totals;
  console.log(`\n${removed} of ${channels} channels removed (${((removed / channels) * 100).toFixed(1)}%); refused: ${steps[0]!.plan.refused.map((r) => r.layer).join(', ') || 'none'}`);
  console.log(`params ${fmt(t.params.before)} → ${fmt(t.params.after)} (${(t.params.after / t.params.before).toFixed(3)}); MACs/pair ${fmt(t.macs.before)} → ${fmt(t.macs.after)} (${(t.macs.after / t.macs.before).toFixed(3)})`);
  console.log(`pruneModel: median of ${RUNS} ${ms(median(times))} (min ${ms(Math.min(...times))})`);
  result!.model.dispose();
  model.dispose();
}

/** Seeded class labels 0 … classes-1 (mulberry32). */
function seededLabels(n: number, classes: number, seed: number): Int32Array {
  let a = seed >>> 0;
  return Int32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * classes);
  });
}

async function sensitivity(): Promise<void> {
  const N = 512;
  const RATIOS = [0.25, 0.5, 0.75, 0.875];
  console.log(`\n## 3. Sensitivity analysis: zoo ResNet-18-style (16×16×3, seed 1), every group, ratios ${RATIOS.join(', ')}, ${N} seeded random examples and labels\n`);
  const model = ZOO.resnet.build({ seed: 1 });
  const inputs = ZOO.resnet.randomInputs(N, 7);
  const data = { inputs, labels: seededLabels(N, ZOO.resnet.outputUnits(), 11) };
  const evalPass = (): void => {
    const p = model.predict(inputs[0]!, { batchSize: 500 }) as tf.Tensor;
    p.dataSync();
    p.dispose();
  };
  evalPass();
  const evalTimes: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const s = now();
    evalPass();
    evalTimes.push(now() - s);
  }
  const times: number[] = [];
  const perGroup = new Map<string, number[]>(); // ms per group, from the progress callback
  let result: Awaited<ReturnType<typeof sensitivityAnalysis>> | undefined;
  for (let run = 0; run <= 3; run += 1) {
    const s = now();
    let last = s;
    const onProgress = (_done: number, _total: number, group: string): void => {
      if (run > 0) perGroup.set(group, [...(perGroup.get(group) ?? []), now() - last]);
      last = now();
    };
    const r = await sensitivityAnalysis(model, data, { ratios: RATIOS, onProgress });
    if (run > 0) times.push(now() - s);
    result = r;
  }
  const r = result!;
  const evalMs = median(evalTimes);
  // Naive anchor: the same points by naiveSweep (a masked copy of the whole model evaluated per ratio), per group.
  const naiveTimes: number[] = [];
  let naiveAgrees = true;
  for (let run = 0; run < 3; run += 1) {
    const s = now();
    for (const g of r.groups) {
      const order = rankChannels(await scoreChannels(l1NormImportance(), { model, layer: g.group }));
      const sweep = await naiveSweep(model, g.group, order, data, { ks: g.points.map((p) => p.pruned) });
      sweep.points.forEach((p, i) => (naiveAgrees &&= p.metric === g.points[i]!.metric));
    }
    naiveTimes.push(now() - s);
  }
  console.log(`metric: ${r.metricName}; baseline ${r.baseline.toFixed(4)} (random labels: the numbers exercise the analysis, they mean nothing); criterion ${r.criterion}`);
  table(
    ['group', 'channels', 'path', ...RATIOS.map((x) => `${x} (pruned)`), 'ms', 'eval passes'],
    r.groups.map((g) => {
      const t = median(perGroup.get(g.group)!);
      return [g.group, String(g.channels), g.path, ...g.points.map((p) => `${p.metric.toFixed(4)} (${p.pruned})`), t.toFixed(1), (t / evalMs).toFixed(2)];
    }),
  );
  console.log(`refused: ${r.refused.map((x) => `${x.layer} (${x.reason})`).join('; ') || 'none'}`);
  const sensMs = median(times);
  console.log(`\none evaluation pass (predict of ${N} examples, batch 500): median of ${RUNS} ${evalMs.toFixed(1)} ms`);
  console.log(`sensitivity analysis (${r.groups.length} groups × ${RATIOS.length} ratios = ${r.groups.length * RATIOS.length} points): median of 3 ${sensMs.toFixed(1)} ms`);
  console.log(`ratio: ${(sensMs / evalMs).toFixed(1)} evaluation passes in all, ${(sensMs / evalMs / r.groups.length).toFixed(2)} per group (naive: one per point = ${r.groups.length * RATIOS.length})`);
  const naiveMs = median(naiveTimes);
  console.log(`naive anchor (naiveSweep of every group at the same ratios): median of 3 ${naiveMs.toFixed(1)} ms = ${(naiveMs / evalMs).toFixed(1)} evaluation passes; sensitivityAnalysis speed-up ${(naiveMs / sensMs).toFixed(2)}x; same metrics: ${naiveAgrees ? 'yes' : 'NO'}`);
  tf.dispose(inputs);
  model.dispose();
}

const selection = await selectBackend('wasm');
console.log(`backend: ${selection.backend} (${selection.reason})`);
console.log(`load average at start: ${load()}`);
const tensors = tf.memory().numTensors;
await mobileNet();
await siamese();
await sensitivity();
console.log(`\ntensors left over: ${tf.memory().numTensors - tensors}`);
console.log(`load average at end: ${load()}`);
