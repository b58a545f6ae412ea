import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const bin = (name: string) => join(root, 'node_modules/.bin', name);

interface Manifest { name: string; version: string; private?: boolean; dependencies?: Record<string, string> }
const published = readdirSync(join(root, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
  return { dir: join(root, 'packages', dir), manifest };
}).filter((p) => !p.manifest.private);

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

let scratch: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'prune-pack-'));
  const packDir = join(scratch, 'tarballs');
  for (const { dir, manifest } of published) {
    const out = run('pnpm', ['pack', '--pack-destination', packDir], dir).trim().split('\n').pop()!;
    tarballs.set(manifest.name, out.startsWith('/') ? out : join(packDir, out));
  }
  // A consumer project outside the workspace; internal @prune deps resolve to the tarballs, everything else
  // (tfjs and third-party dependencies) comes from the registry as for any user.
  const project = join(scratch, 'consumer');
  const fileSpecs = Object.fromEntries([...tarballs].map(([name, path]) => [name, `file:${path}`]));
  const manifest = {
    name: 'consumer', private: true, version: '0.0.0',
    dependencies: {
      ...fileSpecs,
      '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-layers': '4.22.0', '@tensorflow/tfjs-backend-cpu': '4.22.0',
    },
    overrides: fileSpecs,
  };
  run('mkdir', ['-p', project], scratch);
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], project);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.each(published.map((p) => [p.manifest.name, p] as const))('%s', (name, { dir }) => {
  it('passes publint --strict', () => {
    const out = run(bin('publint'), ['--strict'], dir);
    expect(out).not.toMatch(/error|warning/i);
  });

  it('has correct types under every module resolution (are-the-types-wrong)', () => {
    // --pack packs the package itself; the exit code is non-zero on any problem.
    run(bin('attw'), ['--pack', '.', '--format', 'ascii'], dir);
  });

  it('installs from its tarball and loads with ESM import and CJS require', () => {
    const project = join(scratch, 'consumer');
    const esm = run('node', ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).sort()))`], project);
    const cjs = run('node', ['-e',
      `const m = require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).sort()))`], project);
    const esmKeys = JSON.parse(esm) as string[];
    expect(esmKeys.length).toBeGreaterThan(0);
    expect(JSON.parse(cjs)).toEqual(esmKeys.filter((k) => k !== 'default'));
  });
});

describe('@prune/core types in a consumer project', () => {
  it.each(['bundler', 'node16'])('typechecks a consumer file with moduleResolution %s', (resolution) => {
    const project = join(scratch, 'consumer');
    const file = resolution === 'bundler' ? 'consumer.ts' : 'consumer.mts';
    writeFileSync(join(project, file), readFileSync(join(import.meta.dirname, 'consumerExample.ts.txt'), 'utf8'));
    writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: resolution === 'bundler' ? 'ESNext' : 'Node16', moduleResolution: resolution,
        strict: true, noEmit: true, skipLibCheck: false, types: [],
      },
      files: [file],
    }));
    run(bin('tsc'), ['-p', `tsconfig.${resolution}.json`], project);
  });
});
