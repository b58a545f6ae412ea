import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ZOO } from '@prune/test-zoo';
import { modelArtifacts } from '@prune/core';
import { fileSystem } from '@prune/core/node';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'prune-bin-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bin as a user runs it (through tsx on the sources), with its exit code and both streams. */
function prune(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), ['--conditions=@prune/source', 'src/cli.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PRUNE_DEBUG: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the prune command', () => {
  it('--help lists the options and examples; bad flags exit 2 naming the flag, before loading anything', () => {
    const help = prune(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--ratio', '--target', '--criterion', '--data', '--quantize', '--fine-tune-epochs', '--layer-ratios', '--exclude', '--backend']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('Examples:');
    const bad = prune(['m', '--ratio', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ratio takes a fraction in \[0, 1\)/);
    const none = prune(['m']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: say how much to prune/);
  });

  it('prunes a model saved to files, printing progress on stderr and the report on stdout; a missing model exits 1', async () => {
    const model = ZOO.resnet.build({ seed: 1 });
    await fileSystem(join(work, 'resnet')).save!(await modelArtifacts(model));
    model.dispose();
    const out = join(work, 'resnet-pruned');
    const r = prune([join(work, 'resnet'), '--ratio', '0.25', '--strategy', 'global', '-q', 'float16', '-o', out, '--progress', 'lines', '--latency-runs', '3']);
    expect(r.stderr).toMatch(/^backend: /m);
    expect(r.stderr).toMatch(/^pruned \d+ of \d+ groups/m);
    expect(r.stderr).toMatch(/^quantized \d+ weights to float16/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^group\s+channels\s+params\s+MACs$/m);
    expect(r.stdout).toMatch(/^latency .* ms → .* ms \(median of 3 predict calls, batch 1, \w+ backend\)$/m);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.strategy).toBe('global');
    expect(report.quantization.dtype).toBe('float16');
    const missing = prune([join(work, 'nowhere'), '--ratio', '0.3']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: loading .*nowhere\/model.json: no such file$/m);
  });

  it("run as the package's own `cli` script, paths are the caller's folder's (INIT_CWD), not the package's", async () => {
    const model = ZOO.vgg.build({ seed: 1 });
    await fileSystem(join(work, 'vgg')).save!(await modelArtifacts(model));
    model.dispose();
    const script = { npm_package_name: '@prune/cli', npm_lifecycle_event: 'cli', INIT_CWD: work };
    const r = prune(['vgg', '--ratio', '0.25', '-o', 'vgg-out', '--latency-runs', '1'], script);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'vgg-out', 'report.json'), 'utf8')).strategy).toBe('uniform');
    // Any other script (a user's own, or this package's tests) leaves the working directory alone.
    const other = prune(['vgg', '--ratio', '0.25'], { ...script, npm_lifecycle_event: 'test' });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error: loading vgg\/model.json: no such file$/m);
  });
});
