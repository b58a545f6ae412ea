import type { BeforeAfter, GroupReport, LatencyStats, RefusedLayer, TargetAttempt } from '@prune/core';

/** Latency of one predict call on a batch of one, on the backend the command ran on. */
export interface LatencyReport {
  backend: string;
  batch: 1;
  runs: number;
  medianMs: BeforeAfter;
  before: LatencyStats;
  after: LatencyStats;
}

/** What `report.json` holds: every count, measurement and choice of one run of the command. */
export interface RunReport {
  version: 1;
  model: { path: string; name: string; inputShapes: (number | null)[][]; outputUnits: number };
  out: string;
  backend: { name: string; reason: string };
  criterion: string;
  strategy: 'uniform' | 'global';
  /** The ratio pruneModel applied (for a target: the one the search found). */
  ratio: number;
  layerRatios: Record<string, number>;
  target?: { kind: 'params' | 'macs' | 'latencyMs'; value: number; achieved: number; attempts: TargetAttempt[] };
  /** Per pruning group: channels, and params and MACs of the layers it touches. */
  groups: GroupReport[];
  excluded: string[];
  /** Source layers whose groups could not be pruned (left alone), with the reason. */
  refused: RefusedLayer[];
  totals: { params: BeforeAfter; macs: BeforeAfter };
  latency: LatencyReport;
  data?: { source: string; examples: number; labelled: boolean; classes?: string[] };
  accuracy?: { before: number; pruned: number; fineTuned?: number; quantized?: number };
  fineTune?: { epochs: number; learningRate: number; batchSize: number; losses: number[] };
  /** Examples per batch when scoring and evaluating (the asked one, or lower so one batch's activations fit in memory). */
  batchSize: number;
  quantization?: { dtype: 'float16' | 'uint8'; weights: number; weightBytes: BeforeAfter };
  /** Bytes of model.json plus weight files, as read and as written. */
  size: BeforeAfter;
  files: string[];
  seconds: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (b: BeforeAfter): string => (b.before === 0 ? '' : `${(((b.after - b.before) / b.before) * 100).toFixed(1)}%`);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/**
 * The report as the lines the command prints: the groups table, then totals, latency, accuracy, size, the target
 * search and the layers left alone. Use it to print a `report.json` again, or a report `runPrune` returned.
 *
 * @param r - the run's report (what `runPrune` returns and writes to `report.json`).
 * @returns The lines, without line endings.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { reportLines, type RunReport } from '@prune/cli';
 *
 * const text = await readFile('mobilenet-pruned/report.json', 'utf8');
 * const report = JSON.parse(text) as RunReport;
 * console.log(reportLines(report).join('\n')); // group  channels  params  MACs …
 * ```
 */
export function reportLines(r: RunReport): string[] {
  const rows = r.groups.map((g) => [g.group, `${g.channels.before} → ${g.channels.after}`, `${fmt(g.params.before)} → ${fmt(g.params.after)}`, `${fmt(g.macs.before)} → ${fmt(g.macs.after)}`]);
  const lines = table(['group', 'channels', 'params', 'MACs'], rows);
  lines.push('');
  lines.push(`params   ${fmt(r.totals.params.before)} → ${fmt(r.totals.params.after)} (${pct(r.totals.params)})`);
  lines.push(`MACs     ${fmt(r.totals.macs.before)} → ${fmt(r.totals.macs.after)} per example (${pct(r.totals.macs)})`);
  lines.push(`latency  ${r.latency.medianMs.before.toFixed(2)} ms → ${r.latency.medianMs.after.toFixed(2)} ms (median of ${r.latency.runs} predict calls, batch 1, ${r.latency.backend} backend)`);
  if (r.accuracy) {
    const a = r.accuracy;
    const parts = [`before ${a.before.toFixed(4)}`, `pruned ${a.pruned.toFixed(4)}`];
    if (a.fineTuned !== undefined) parts.push(`fine-tuned ${a.fineTuned.toFixed(4)}`);
    if (a.quantized !== undefined) parts.push(`${r.quantization!.dtype} ${a.quantized.toFixed(4)}`);
    lines.push(`accuracy ${parts.join(', ')} (${r.data!.examples} examples of ${r.data!.source})`);
  }
  lines.push(`size     ${fmt(r.size.before)} → ${fmt(r.size.after)} bytes (${pct(r.size)})${r.quantization ? `, weights as ${r.quantization.dtype}` : ''}`);
  if (r.target) lines.push(`target   ${r.target.kind} ≤ ${fmt(r.target.value)}: reached ${fmt(Number(r.target.achieved.toFixed(2)))} at ratio ${r.ratio.toFixed(4)} (${r.target.attempts.length} tries)`);
  for (const x of r.refused) lines.push(`left alone: ${x.layer} (${x.className}): ${x.reason}`);
  return lines;
}
