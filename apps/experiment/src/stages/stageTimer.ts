/** The stages of a run, in order; the run's timings (results.json `timings`) are these plus `total`. */
export const STAGES = ['data', 'train', 'statistics', 'rank', 'sweep', 'controls', 'export', 'costs', 'report'] as const;
export type StageName = (typeof STAGES)[number];

/** Times stages (a stage run once per seed adds up); `timings()` includes a stage still running. */
export interface StageTimer {
  stage<T>(name: StageName, fn: () => Promise<T>): Promise<T>;
  timings(): Record<string, number>;
}

export function createStageTimer(now: () => number = () => performance.now()): StageTimer {
  const started = now();
  const seconds: Partial<Record<StageName, number>> = {};
  const running = new Map<StageName, number>();
  return {
    async stage(name, fn) {
      const t = now();
      running.set(name, t);
      try {
        return await fn();
      } finally {
        running.delete(name);
        seconds[name] = (seconds[name] ?? 0) + (now() - t) / 1000;
      }
    },
    timings() {
      const t = now();
      const out: Record<string, number> = {};
      for (const name of STAGES) {
        const total = (seconds[name] ?? 0) + (running.has(name) ? (t - (running.get(name) as number)) / 1000 : 0);
        if (total > 0 || name in seconds || running.has(name)) out[name] = Math.round(total * 1000) / 1000;
      }
      out.total = Math.round(((t - started) / 1000) * 1000) / 1000;
      return out;
    },
  };
}
