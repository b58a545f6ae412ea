import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiFunctions, compileExamples, DOCUMENTED, entryPoints, PACKAGES } from './apiDocs';

const functions = apiFunctions();

describe('API reference', () => {
  it('finds the exported functions of every entry point, ./node subpaths included', () => {
    const entries = new Set(functions.map((f) => f.entry));
    for (const entry of ['@prune/core', '@prune/core/node', '@prune/mnist-pairs/node', '@prune/backend', '@prune/report', '@prune/cli/node', '@prune/cli/process']) expect(entries).toContain(entry);
    expect(functions.map((f) => f.name)).toEqual(expect.arrayContaining(['pruneModel', 'fileSystem', 'loadMnist', 'renderSvg', 'runPrune', 'watchLauncher']));
  });

  it('the reference pages (typedoc) cover every package and every entry point of its exports map', () => {
    const packages = resolve(import.meta.dirname, '../../../packages');
    const typedoc = JSON.parse(readFileSync(resolve(import.meta.dirname, '../typedoc.json'), 'utf8'));
    expect(typedoc.entryPoints).toEqual(PACKAGES.map((dir) => `../../packages/${dir}`));
    expect([...typedoc.packagesRequiringDocumentation].sort()).toEqual([...DOCUMENTED].sort());
    // typedoc takes every src/**/index.ts of a package: exactly the files its exports map publishes.
    expect(typedoc.packageOptions.entryPoints).toEqual(['src/**/index.ts']);
    for (const dir of PACKAGES) {
      const src = join(packages, dir, 'src');
      const indexFiles = readdirSync(src, { recursive: true, encoding: 'utf8' })
        .filter((f) => f === 'index.ts' || f.endsWith('/index.ts'))
        .map((f) => join(src, f));
      expect(indexFiles.sort(), dir).toEqual(Object.values(entryPoints(dir)).sort());
    }
  });

  it.each(DOCUMENTED)('%s: every exported function has a description, an @param per parameter and an example', (pkg) => {
    const lacking = functions.filter((f) => f.entry.split('/').slice(0, 2).join('/') === pkg && f.missing.length > 0);
    expect(lacking.map((f) => `${f.file}:${f.line} ${f.name} lacks ${f.missing.join(', ')}`)).toEqual([]);
  });

  it('compiles every example (tsc, strict, as a user file importing the packages)', () => {
    expect(compileExamples(functions.filter((f) => f.examples.length > 0))).toEqual([]);
  });

  it('would catch a wrong example: a type error in one is reported with its function', () => {
    const [first] = functions.filter((f) => f.name === 'pruneModel');
    const broken = { ...first!, examples: ["import { pruneModel } from '@prune/core';\nawait pruneModel(model, { ratio: '0.3' });"] };
    expect(compileExamples([broken]).join('\n')).toMatch(/pruneModel__0\.ts.*ratio|Type 'string' is not assignable/);
  });
});
