import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureViewerBuilt } from './viewerDist';

/**
 * Copies the built viewer (index.html and assets/) into a run folder, so the folder is a self-contained static
 * site: serve it with any static file server and open index.html. Builds the viewer first when needed.
 * Returns the copied top-level entries.
 */
export async function copyViewer(runDir: string, options: { log?: (line: string) => void } = {}): Promise<string[]> {
  const dist = await ensureViewerBuilt(options);
  const entries = await readdir(dist);
  for (const entry of entries) await cp(join(dist, entry), join(runDir, entry), { recursive: true, force: true });
  return entries;
}
