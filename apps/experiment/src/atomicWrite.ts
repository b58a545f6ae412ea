import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary paths not yet renamed into place; removed on Ctrl-C or a crash. */
const pending = new Set<string>();

/** A sibling temporary path of `path` (same folder, so the final rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file atomically: to a temporary sibling, then renamed over `path`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  pending.add(temp);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw pathError(path, 'write', error);
  } finally {
    pending.delete(temp);
  }
}

/** Writes JSON (2-space indented, trailing newline) atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Creates a folder atomically: `fill` writes into a temporary sibling folder, which is then renamed to `dir`.
 * An existing `dir` is replaced (moved aside, then removed). Returns false, keeping the existing folder,
 * when `keepExisting` is set and `dir` appeared meanwhile (e.g. another run wrote the same cache entry).
 */
export async function writeDirAtomic(dir: string, fill: (tempDir: string) => Promise<void>, options: { keepExisting?: boolean } = {}): Promise<boolean> {
  const temp = tempPathFor(dir);
  pending.add(temp);
  try {
    await mkdir(temp, { recursive: true });
    await fill(temp);
    if (await exists(dir)) {
      if (options.keepExisting) {
        await rm(temp, { recursive: true, force: true });
        return false;
      }
      const old = tempPathFor(dir);
      pending.add(old);
      await rename(dir, old);
      await rename(temp, dir);
      await rm(old, { recursive: true, force: true });
      pending.delete(old);
    } else {
      await rename(temp, dir);
    }
    return true;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw pathError(dir, 'write', error);
  } finally {
    pending.delete(temp);
  }
}

/**
 * An I/O error that names the path it concerns: Node's own messages do not always (`ENOSPC: no space left on
 * device, write`). An error that already names it is kept as is.
 */
export function pathError(path: string, verb: string, error: unknown): Error {
  const message = (error as Error).message ?? String(error);
  if (message.includes(path)) return error as Error;
  return new Error(`cannot ${verb} ${path}: ${message}`, { cause: error });
}

/** Registers a temporary path (file or folder) to remove if the process is interrupted; returns its unregister. */
export function trackTemporary(path: string): () => void {
  pending.add(path);
  return () => untrackTemporary(path);
}

/** Stops treating `path` as a temporary (it was renamed into place or removed). */
export function untrackTemporary(path: string): void {
  pending.delete(path);
}

/** Removes every pending temporary path synchronously (from a signal handler or before exiting on an error). */
export function removePendingSync(): string[] {
  const removed = [...pending];
  for (const path of removed) rmSync(path, { recursive: true, force: true });
  pending.clear();
  return removed;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** True while process `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files and unfinished run folders (`.name.tmp-<pid>-…`, `.name.partial-<pid>`) left in `dir`
 * by a process that was killed outright (SIGKILL, power loss) and so could not clean up itself.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const match = /^\..+\.(?:tmp|partial)-(\d+)/.exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
