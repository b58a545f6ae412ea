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

/**
 * A message without the machine's absolute paths: a path into node_modules keeps only its part from node_modules
 * on, any other absolute path only its last part (results.json travels; the user's folders stay home).
 */
export function withoutLocalPaths(text: string): string {
  return text.replace(/(?<=^|[\s'"`(\[=])(?:[A-Za-z]:)?(?:[\\/][^\s'"`()\[\]:,;]+)+/g, (path) => {
    const nm = path.lastIndexOf('node_modules');
    if (nm >= 0) return path.slice(nm);
    return basename(path);
  });
}
