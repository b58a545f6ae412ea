import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Test files change no behaviour, so they stay out of a code fingerprint. */
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;

/** A SHA-256 over every file under `dir` (test files excepted): relative paths and contents, in sorted order. */
export function hashSourceTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (folder: string): void => {
    const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !TEST_FILE.test(entry.name)) {
        const bytes = readFileSync(path);
        hash.update(`${relative(dir, path)}\0${bytes.length}\0`);
        hash.update(bytes);
      }
    }
  };
  walk(dir);
  return hash.digest('hex');
}
