import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestRun, serveRun } from './serveRun';

describe('serveRun', () => {
  let root: string;
  let url: string;
  let close: () => Promise<unknown>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'viewer-serve-'));
    mkdirSync(join(root, 'page', 'assets'), { recursive: true });
    mkdirSync(join(root, 'run', 'viewer-data'), { recursive: true });
    writeFileSync(join(root, 'page', 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(join(root, 'page', 'assets', 'x.wasm'), new Uint8Array([0, 97, 115, 109]));
    writeFileSync(join(root, 'run', 'index.html'), 'the run folder copy (shadowed by the page)');
    writeFileSync(join(root, 'run', 'results.json'), '{"runId":"r"}');
    writeFileSync(join(root, 'run', 'viewer-data', 'a b.bin'), new Uint8Array([1, 2, 3]));
    writeFileSync(join(root, 'secret.txt'), 'outside');
    symlinkSync(join(root, 'secret.txt'), join(root, 'run', 'leak.txt'));
    symlinkSync('/etc/passwd', join(root, 'run', 'passwd'));
    symlinkSync(root, join(root, 'run', 'up'));
    symlinkSync('results.json', join(root, 'run', 'same.json'));
    const served = await serveRun({ runDir: join(root, 'run'), viewerDir: join(root, 'page'), port: 0 });
    url = served.url;
    close = () => new Promise((resolve) => served.server.close(resolve));
  });
  afterAll(async () => {
    await close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the page and the run side by side on 127.0.0.1, the page first', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(url);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>page</title>');
    const wasm = await fetch(new URL('assets/x.wasm', url));
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(await (await fetch(new URL('results.json', url))).json()).toEqual({ runId: 'r' });
    expect(new Uint8Array(await (await fetch(new URL('viewer-data/a%20b.bin', url))).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('answers 404 for missing files and never serves outside its folders', async () => {
    expect((await fetch(new URL('nope.json', url))).status).toBe(404);
    expect((await fetch(`${url}..%2Fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${url}%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it('never follows a symlink out of the run folder; one that stays inside is served', async () => {
    expect((await fetch(new URL('leak.txt', url))).status).toBe(404);
    expect((await fetch(new URL('passwd', url))).status).toBe(404);
    expect((await fetch(new URL('up/secret.txt', url))).status).toBe(404);
    expect(await (await fetch(new URL('same.json', url))).json()).toEqual({ runId: 'r' });
  });
});

describe('latestRun', () => {
  it('follows runs/latest, else takes the newest results.json, and is undefined without runs', () => {
    const runs = mkdtempSync(join(tmpdir(), 'viewer-runs-'));
    expect(latestRun(join(runs, 'missing'))).toBeUndefined();
    for (const [name, seconds] of [['a', 1000], ['b', 3000], ['c', 2000]] as const) {
      mkdirSync(join(runs, name));
      writeFileSync(join(runs, name, 'results.json'), '{}');
      utimesSync(join(runs, name, 'results.json'), seconds, seconds);
    }
    mkdirSync(join(runs, 'no-results'));
    expect(latestRun(runs)).toBe(join(runs, 'b'));
    symlinkSync('c', join(runs, 'latest'));
    expect(latestRun(runs)).toBe(join(runs, 'c'));
    rmSync(runs, { recursive: true, force: true });
  });
});
