import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'prune-changesets-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Manifest { name: string; version: string; private?: boolean }
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every workspace package folder, as pnpm-workspace.yaml lists them (packages/*, apps/*, tests/*). */
const workspaceDirs = ['packages', 'apps', 'tests'].flatMap((group) =>
  readdirSync(join(root, group)).map((d) => join(group, d)).filter((d) => existsSync(join(root, d, 'package.json'))));

describe('changesets', () => {
  it('`changeset version` turns the pending changesets into versions and changelogs (in a scratch copy)', () => {
    // Only what changesets reads: the manifests, the workspace file and .changeset/.
    for (const file of ['package.json', 'pnpm-workspace.yaml', ...workspaceDirs.map((d) => join(d, 'package.json'))]) {
      mkdirSync(dirname(join(scratch, file)), { recursive: true });
      cpSync(join(root, file), join(scratch, file));
    }
    cpSync(join(root, '.changeset'), join(scratch, '.changeset'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
    const pending = readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    // The packages the pending changesets bump, from their front matter ('@prune/core': minor).
    const named = new Set(pending.flatMap((f) => {
      const front = readFileSync(join(scratch, '.changeset', f), 'utf8').split('---')[1] ?? '';
      return [...front.matchAll(/^\s*['"]?([^'":\s]+)['"]?\s*:\s*(major|minor|patch)\s*$/gm)].map((m) => m[1]!);
    }));
    if (pending.length > 0) expect(named.size, `changesets ${pending.join(', ')} name no package`).toBeGreaterThan(0);

    execFileSync(join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: scratch, stdio: 'pipe' });

    expect(readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
    for (const dir of workspaceDirs) {
      const before = manifest(join(root, dir));
      const after = manifest(join(scratch, dir));
      if (before.private) {
        // Apps and tests are not released: untouched, no changelog.
        expect(after.version, dir).toBe(before.version);
        expect(existsSync(join(scratch, dir, 'CHANGELOG.md')), dir).toBe(false);
      } else if (named.has(before.name)) {
        // A package a changeset names gets a new version and a changelog entry for it.
        expect(after.version, dir).not.toBe(before.version);
        expect(readFileSync(join(scratch, dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${after.version}`);
      }
    }
  });
});
