import { basename } from 'node:path';
import type { RunConfig } from './runConfigSchema.js';

/**
 * The config as results.json records it: what the numbers depend on, without the CLI's own settings (where runs
 * are written, the run id, the cache switch) and without local paths (a data folder is named by its last part).
 */
export function runSettings(config: RunConfig): Record<string, unknown> {
  const { outDir: _outDir, runId: _runId, cache: _cache, data, ...settings } = config;
  return { data: data === null ? null : basename(data), ...settings };
}
