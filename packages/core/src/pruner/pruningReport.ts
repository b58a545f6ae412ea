import type { LayersModel } from '@tensorflow/tfjs-layers';
import { countMacs } from '../costs/countMacs';
import { countParams } from '../costs/countParams';

/** A count before and after a prune step. */
export interface BeforeAfter {
  before: number;
  after: number;
}

/**
 * One group in a prune step: its channels, and the parameters and MACs (per example) of the layers it touches — its
 * sources, the layers with per-channel weights on its path and its consumers — before and after. A layer can be in
 * two groups (a consumer of one is the source of the next), so group rows overlap; `totals` are the whole model's.
 */
export interface GroupReport {
  group: string;
  channels: BeforeAfter;
  params: BeforeAfter;
  macs: BeforeAfter;
}

/** The counts of a prune step, per group and for the whole model. */
export interface PruningReport {
  groups: GroupReport[];
  totals: { params: BeforeAfter; macs: BeforeAfter };
}

/** Sums a per-layer count over the given layer paths. */
function over(rows: ReadonlyArray<{ path: string }>, value: (row: never) => number, paths: ReadonlySet<string>): number {
  return rows.filter((r) => paths.has(r.path)).reduce((sum, r) => sum + value(r as never), 0);
}

/** Counts a prune from `before` to `after`, for groups given with their channel counts and the layer paths each touches. */
export function pruningReport(
  groups: ReadonlyArray<{ group: string; channels: BeforeAfter; layers: readonly string[] }>,
  before: LayersModel,
  after: LayersModel,
): PruningReport {
  const [p0, p1] = [countParams(before), countParams(after)];
  const [m0, m1] = [countMacs(before), countMacs(after)];
  const params = (r: { params: number }) => r.params;
  const macs = (r: { macs: number }) => r.macs;
  const rows = groups.map((g): GroupReport => {
    const paths = new Set(g.layers);
    return {
      group: g.group,
      channels: g.channels,
      params: { before: over(p0.layers, params, paths), after: over(p1.layers, params, paths) },
      macs: { before: over(m0.layers, macs, paths), after: over(m1.layers, macs, paths) },
    };
  });
  return { groups: rows, totals: { params: { before: p0.total, after: p1.total }, macs: { before: m0.macs, after: m1.macs } } };
}
