import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { IMAGE_PIXELS } from '@prune/mnist-pairs';
import type { RunConfig } from './runConfigSchema.js';
import { ConfigError } from '@prune/cli/process';

/** One allocation the run makes at once, and the flag that sizes it. */
export interface MemoryItem {
  flag: string;
  what: string;
  bytes: number;
}

/** Bytes of a set of pairs as the model's two inputs: float32 images, held in JS and again by the backend. */
const pairBytes = (pairs: number) => 2 * 2 * pairs * IMAGE_PIXELS * 4;

/** The large allocations of a run: the test and calibration pair tensors and the sweep's kept predictions. */
export function memoryPlan(config: Pick<RunConfig, 'testPairs' | 'calibration' | 'calibrationPairs' | 'criteria'>, channels: number): MemoryItem[] {
  const items: MemoryItem[] = [
    { flag: `--test-pairs ${config.testPairs}`, what: 'the test pair tensors', bytes: pairBytes(config.testPairs) },
    { flag: `--test-pairs ${config.testPairs}`, what: `the sweep's predictions (${config.criteria.length} criteri${config.criteria.length === 1 ? 'on' : 'a'} × ${channels} K)`, bytes: config.criteria.length * channels * config.testPairs * 4 },
  ];
  if (config.calibration === 'train') items.push({ flag: `--calibration-pairs ${config.calibrationPairs}`, what: 'the calibration pair tensors', bytes: pairBytes(config.calibrationPairs) });
  return items;
}

/** The memory this process may use: the machine's, or its cgroup's limit when lower. */
export function machineMemory(): number {
  let limit = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value) && value > 0) limit = Math.min(limit, value);
    } catch {
      // no such cgroup file
    }
  }
  return limit;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 2 : 0)} GB`;

/** Refuses a run whose pair tensors cannot fit in 80% of the memory there is, naming the flag that asks for them. */
export function checkMemory(config: Parameters<typeof memoryPlan>[0], channels: number, available: number = machineMemory()): void {
  const items = memoryPlan(config, channels);
  const total = items.reduce((sum, item) => sum + item.bytes, 0);
  const budget = 0.8 * available;
  if (total <= budget) return;
  const largest = [...items].sort((a, b) => b.bytes - a.bytes)[0] as MemoryItem;
  throw new ConfigError(
    `${largest.flag}: the run would hold ${gb(total)} at once (${items.map((i) => `${i.what} ${gb(i.bytes)}`).join(', ')}), more than the ${gb(budget)} it may use (80% of ${gb(available)}); ask for fewer pairs`,
  );
}
