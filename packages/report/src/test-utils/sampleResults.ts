import { RESULTS_SCHEMA_VERSION, type ResultsInput } from '../resultsSchema.js';
import { summarizeSeeds } from '../summarizeSeeds.js';

/** A small deterministic PRNG (mulberry32) so fixtures are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plausible, valid results object (C channels, maps H×W) for schema and chart tests. */
export function sampleResults(options: { seeds?: number[]; criteria?: string[]; channels?: number; map?: number; controls?: boolean } = {}): ResultsInput {
  const { seeds = [42], criteria = ['mean'], channels = 32, map = 14, controls = false } = options;
  const config = { seeds, criteria, layer: 'conv2', epochs: 10 };
  const seedRuns = seeds.map((seed) => {
    const r = rng(seed);
    const meanMap = Array.from({ length: channels * map * map }, (_, i) => Math.sin(i / 7) + r() * 0.2);
    const per = (f: () => number) => Array.from({ length: channels }, f);
    const curve = () => Array.from({ length: channels }, (_, k) => Math.max(0.5, 0.965 - 0.5 * (k / channels) ** 2 - r() * 0.02));
    const permutation = () => Array.from({ length: channels }, (_, i) => i).sort(() => r() - 0.5);
    const controlRecord = controls
      ? {
          random: { seeds: [1, 2, 3], orders: [permutation(), permutation(), permutation()], accuracy: [curve(), curve(), curve()] },
          oracle: { order: permutation(), accuracy: Array.from({ length: channels }, (_, k) => 0.97 - 0.2 * (k / channels) ** 4), evaluations: (channels * (channels + 1)) / 2 - 1 },
          rankCorrelation: { reference: 'ablation', values: criteria.map((criterion) => ({ criterion, rankedOn: 'test' as const, rho: 0.5 })) },
        }
      : null;
    return {
      seed,
      controls: controlRecord,
      model: { path: `model/seed-${seed}`, cacheKey: 'abc123', reused: false, parameters: 225_000, history: [{ epoch: 1, loss: 0.4, accuracy: 0.8 }] },
      test: { accuracy: 0.962, loss: 0.11, auc: 0.99, count: 2000 },
      stats: {
        layer: 'conv2',
        channels,
        images: 4000,
        positions: 4000 * map * map,
        mean: per(() => r() - 0.5),
        meanAbs: per(() => r()),
        apoz: per(() => r()),
        variance: per(() => r()),
        std: per(() => r()),
        min: per(() => -r()),
        max: per(() => r()),
        meanMap,
        mapShape: [channels, map, map] as [number, number, number],
      },
      criteria: criteria.map((criterion) => {
        const scores = per(() => r());
        const order = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
        const accuracy = Array.from({ length: channels }, (_, k) => Math.max(0.5, 0.965 - 0.45 * (k / channels) ** 3 - r() * 0.01));
        const interval = { level: 0.95, method: 'wilson', lower: accuracy.map((a) => a - 0.01), upper: accuracy.map((a) => Math.min(1, a + 0.01)) };
        return { criterion, rankedOn: 'test' as const, scores, order, accuracy, interval };
      }),
    };
  });
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: '2026-11-27T10-00-00-lab',
    createdAt: '2026-11-27T10:00:00.000Z',
    config,
    backend: { name: 'wasm', reason: 'tfjs-node not installed; wasm with SIMD' },
    timings: { load: 1.2, train: 200, stats: 3, sweep: 2, total: 210 },
    dataset: { source: 'embedded', train: { images: 6000, pairs: 10000 }, test: { images: 1000, pairs: 2000 } },
    calibration: { source: 'test', images: 4000, pairs: 2000, heldOut: false, note: 'ranked on the test pairs' },
    layer: { name: 'conv2', channels },
    seedRuns,
    summary: summarizeSeeds(seedRuns.map((s) => ({ ...s, criteria: s.criteria.map((c) => ({ ...c, role: 'criterion' as const, fineTune: [] })) })), 'test'),
    costs: Array.from({ length: channels }, (_, k) => ({ k, params: 225_000 - k * 4000, macs: 2_000_000 - k * 50_000, latencyMs: 5 - k * 0.1 })),
    exports: [{ k: 16, criterion: criteria[0] as string, seed: seeds[0] as number, path: 'pruned/k16', params: 160_000, macs: 1_200_000, accuracy: 0.93, fineTuned: false }],
    viewer: { index: 'viewer-data/index.json' },
  };
}
