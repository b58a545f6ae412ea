import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// The code a docs page shows: its fenced blocks and the example files (or regions) it includes with `<<<`.

const docsRoot = resolve(import.meta.dirname, '../docs');
const repoRoot = resolve(import.meta.dirname, '../../..');

/** One line of code as a page shows it. */
export interface ShownLine {
  /** Where it comes from: `guide/x.md:12` or `examples/y.ts:30`. */
  where: string;
  text: string;
}

/** The lines of a file's region (`// #region name` … `// #endregion name`), or the whole file. */
function included(file: string, region: string | undefined): { start: number; lines: string[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (!region) return { start: 0, lines };
  const from = lines.findIndex((l) => new RegExp(`#region ${region}\\b`).test(l));
  const to = lines.findIndex((l, i) => i > from && new RegExp(`#endregion ${region}\\b`).test(l));
  if (from < 0 || to < 0) throw new Error(`${file}: no region '${region}'`);
  return { start: from + 1, lines: lines.slice(from + 1, to) };
}

/** Every code line of a markdown file: fenced blocks, and `<<< @/…` includes resolved against `docs/`. */
export function shownLines(markdownFile: string): ShownLine[] {
  const out: ShownLine[] = [];
  const name = relative(repoRoot, markdownFile);
  let fence: string | null = null;
  readFileSync(markdownFile, 'utf8').split('\n').forEach((line, i) => {
    const open = /^(\s*)(```+|~~~+)/.exec(line);
    if (open) {
      fence = fence === null ? open[2]! : fence === open[2] ? null : fence;
      return;
    }
    if (fence !== null) {
      out.push({ where: `${name}:${i + 1}`, text: line });
      return;
    }
    const include = /^<<<\s+@\/(\S+?)(?:#(\w+))?(?:\s|\{|$)/.exec(line);
    if (include) {
      const file = resolve(docsRoot, include[1]!);
      if (!existsSync(file)) throw new Error(`${name}:${i + 1} includes ${file}, which does not exist`);
      const { start, lines } = included(file, include[2]);
      lines.forEach((text, j) => out.push({ where: `${relative(repoRoot, file)}:${start + j + 1}`, text }));
    }
  });
  return out;
}

/** The docs' markdown pages (the generated API reference excluded: its code comes from the sources' @example). */
export function docsPages(): string[] {
  return readdirSync(docsRoot, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !relative(docsRoot, f).startsWith('api/'));
}

/** The packages' READMEs (their npm pages) and the repository's. */
export function readmes(): string[] {
  const packages = readdirSync(join(repoRoot, 'packages')).map((d) => join(repoRoot, 'packages', d, 'README.md'));
  return [join(repoRoot, 'README.md'), ...packages].filter((f) => existsSync(f));
}
