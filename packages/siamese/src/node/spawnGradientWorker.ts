import { Worker } from 'node:worker_threads';

/**
 * Starts the gradient worker next to this file: the built `gradientWorker.js`, or, when this package runs from its
 * TypeScript sources (tsx, vitest), `gradientWorker.ts` through tsx's loader, with the sources' export condition, as
 * worker threads inherit neither.
 */
export function spawnGradientWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./gradientWorker.js', here));
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = new URL('./gradientWorker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`;
  return new Worker(boot, { eval: true, execArgv: ['--conditions=@prune/source'] });
}

