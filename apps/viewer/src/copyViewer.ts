import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureViewerBuilt } from './viewerDist';

/**
 * Copies the built viewer (index.html and assets/) into a run folder, so the folder is a self-contained static
 * site: serve it with any static file server and open index.html. Builds the viewer first when needed.
 * Returns the copied top-level entries. A previous copy's entries are replaced, not merged: the hashed bundles of
 * an older build would otherwise stay in assets/ and be published with the folder.
 */
export async function copyViewer(runDir: string, options: { log?: (line: string) => void } = {}): Promise<string[]> {
  const dist = await ensureViewerBuilt(options);
  const entries = await readdir(dist);
  for (const entry of entries) {
    await rm(join(runDir, entry), { recursive: true, force: true });
    await cp(join(dist, entry), join(runDir, entry), { recursive: true });
  }
  return entries;
}
