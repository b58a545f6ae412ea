import { createReadStream, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** The run `runsDir/latest` points at (the experiment keeps it), else the run whose results.json is newest. */
export function latestRun(runsDir: string): string | undefined {
  if (!existsSync(runsDir)) return undefined;
  if (existsSync(join(runsDir, 'latest', 'results.json'))) return realpathSync(join(runsDir, 'latest'));
  let best: { dir: string; mtime: number } | undefined;
  for (const name of readdirSync(runsDir)) {
    const results = join(runsDir, name, 'results.json');
    if (!existsSync(results)) continue;
    const mtime = statSync(results).mtimeMs;
    if (!best || mtime > best.mtime) best = { dir: join(runsDir, name), mtime };
  }
  return best?.dir;
}

/** The real path of `path`, or undefined when it does not exist. */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * A regular file under one of `roots` (real paths) for a URL path, or undefined: never a path outside the roots,
 * also not through a symlink inside them.
 */
function lookup(roots: readonly string[], urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const relative = normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded).replace(/^([/\\])+/, '');
  for (const root of roots) {
    const file = realPath(resolve(root, relative));
    if (!file || !file.startsWith(root + sep)) continue;
    if (statSync(file).isFile()) return file;
  }
  return undefined;
}

/**
 * Serves the viewer page (from `viewerDir`) and a run folder's files side by side at one origin, as they sit
 * when the viewer is copied into the run folder. GET and HEAD only; no listing.
 */
export function serveRun(options: { runDir: string; viewerDir: string; host?: string; port?: number }): Promise<{ server: Server; url: string }> {
  const { host = '127.0.0.1', port = 4173 } = options;
  const roots = [options.viewerDir, options.runDir].map((dir) => realpathSync(resolve(dir)));
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = lookup(roots, path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    const tryListen = (p: number, attemptsLeft: number): void => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' && attemptsLeft > 0) tryListen(p + 1, attemptsLeft - 1);
        else reject(error);
      });
      server.listen(p, host, () => {
        const address = server.address();
        const actual = typeof address === 'object' && address ? address.port : p;
        resolvePromise({ server, url: `http://${host}:${actual}/` });
      });
    };
    tryListen(port, port === 0 ? 0 : 20);
  });
}
