import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';

export const STUDIO_ROOT = resolve(import.meta.dirname, '..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Makes the fixtures and the oracle (tsx, sources of the workspace), builds the page, and serves dist/ on a free port. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const work = mkdtempSync(join(tmpdir(), 'prune-studio-e2e-'));
  const tsx = join(STUDIO_ROOT, 'node_modules', '.bin', 'tsx');
  execFileSync(tsx, ['--conditions=@prune/source', 'e2e/makeFixtures.ts', work], { cwd: STUDIO_ROOT, stdio: 'inherit' });
  if (!process.env.PRUNE_STUDIO_SKIP_BUILD || !existsSync(join(STUDIO_ROOT, 'dist/index.html'))) {
    execFileSync(join(STUDIO_ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: STUDIO_ROOT, stdio: 'inherit' });
  }
  const dist = join(STUDIO_ROOT, 'dist');
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(dist, path === '' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  process.env.PRUNE_STUDIO_URL = `http://127.0.0.1:${address.port}/`;
  process.env.PRUNE_STUDIO_FIXTURES = work;
  return async () => {
    await new Promise((r) => server.close(r));
    rmSync(work, { recursive: true, force: true });
  };
}
