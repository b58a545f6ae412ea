/**
 * The number of threads wasm uses unless told otherwise: every logical core (`os.availableParallelism()`
 * in Node, `navigator.hardwareConcurrency` in a browser), at least 1.
 *
 *
 * @example
 * ```ts
 * import { defaultThreadCount, selectBackend } from '@prune/backend';
 *
 * const threads = Math.max(1, (await defaultThreadCount()) - 1); // leave a core free
 * await selectBackend('wasm', { threads });
 * ```
 */
export async function defaultThreadCount(): Promise<number> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
    const osModule = 'node:os';
    const os = (await import(/* @vite-ignore */ osModule)) as typeof import('node:os');
    return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, Number.isInteger(cores) ? (cores as number) : 1);
}
