import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// What a release promises without packing anything: tfjs as peers, CI that typechecks, a release gated on CI.
const root = resolve(import.meta.dirname, '../../..');

interface Manifest {
  name: string; private?: boolean; bin?: unknown;
  dependencies?: Record<string, string>; peerDependencies?: Record<string, string>;
}
const packages = readdirSync(join(root, 'packages')).map((dir) => ({
  dir: join(root, 'packages', dir),
  manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest,
})).filter((p) => !p.manifest.private);
// Libraries take tfjs as peers; a command-line tool (a `bin`) is an application and brings the tfjs it runs on.
const libraries = packages.filter((p) => p.manifest.bin === undefined);

/** Every file under src (tests and test utilities excluded: they are not published). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.(test|bench)\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.includes('/test-utils/'));
}

describe.each(libraries.map((p) => [p.manifest.name, p] as const))('%s', (_name, { dir, manifest }) => {
  it('takes every @tensorflow package it imports as a peer dependency, never as a dependency', () => {
    const imported = new Set(sources(join(dir, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(@tensorflow\/[^/']+)/g)].map((m) => m[1]!)));
    // tfjs-node is optional and loaded by name at run time (selectBackend), never imported statically.
    imported.delete('@tensorflow/tfjs-node');
    expect(Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@tensorflow/'))).toEqual([]);
    for (const name of imported) expect(manifest.peerDependencies ?? {}, `${name} in ${dir}`).toHaveProperty(name);
  });
});

const workflow = (name: string) => readFileSync(join(root, '.github/workflows', name), 'utf8');

describe('CI and release workflows', () => {
  it('CI runs .ci/run, which typechecks and then runs the README\'s test command', () => {
    expect(workflow('ci.yml')).toMatch(/run: bash \.ci\/run/);
    const steps = readFileSync(join(root, '.ci/run'), 'utf8').split('\n').filter((l) => /^pnpm /.test(l));
    expect(steps).toEqual(['pnpm install --frozen-lockfile', 'pnpm typecheck', 'pnpm test']);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/^pnpm test\b/m);
  });

  it('releases only after CI passed on a push to main, from the commit CI tested', () => {
    const release = workflow('release.yml');
    const on = release.slice(release.indexOf('\non:'), release.indexOf('\nconcurrency:'));
    // No push or pull_request trigger of its own: only the completion of the CI workflow on main.
    expect(on).not.toMatch(/^\s+(push|pull_request):/m);
    expect(on).toMatch(/workflow_run:\s+workflows: \[CI\]\s+types: \[completed\]\s+branches: \[main\]/);
    expect(workflow('ci.yml')).toMatch(/^name: CI$/m);
    expect(release).toContain("if: github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'");
    expect(release).toMatch(/uses: actions\/checkout@v4\s+with:\s+ref: \$\{\{ github\.event\.workflow_run\.head_sha \}\}/);
  });
});
