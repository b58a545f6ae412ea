import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The viewer package's folder (apps/viewer). */
export const VIEWER_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where `vite build` writes the static page (index.html + assets/). */
export const VIEWER_DIST = join(VIEWER_ROOT, 'dist');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Whether dist/ is missing or older than the page's sources (index.html, src/, vite.config.ts). */
export function viewerBuildIsStale(): boolean {
  const built = join(VIEWER_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['index.html', 'vite.config.ts', 'src'].map((p) => join(VIEWER_ROOT, p)).filter((p) => existsSync(p));
  return Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
}

/** Builds the static page with Vite when dist/ is missing or stale; returns the dist folder. */
export async function ensureViewerBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  if (options.force || viewerBuildIsStale()) {
    options.log?.('Building the viewer (vite build)…');
    const { build } = await import('vite');
    // Build beside dist/ and swap it in, so a reader (a server, a copy) never sees a half-written page.
    const staging = `${VIEWER_DIST}.staging-${process.pid}`;
    const old = `${VIEWER_DIST}.old-${process.pid}`;
    await build({ root: VIEWER_ROOT, configFile: join(VIEWER_ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: staging, emptyOutDir: true } });
    if (existsSync(VIEWER_DIST)) renameSync(VIEWER_DIST, old);
    renameSync(staging, VIEWER_DIST);
    rmSync(old, { recursive: true, force: true });
  }
  return VIEWER_DIST;
}
