import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { latestRun, serveRun } from './serveRun';
import { ensureViewerBuilt, VIEWER_ROOT } from './viewerDist';
import { userCwd, watchLauncher } from '@prune/cli/process';

// pnpm viewer [runDir] [--port 4173] [--host 127.0.0.1]: serves the latest run (or the given one) with the page.
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '4173' }, host: { type: 'string', default: '127.0.0.1' }, help: { type: 'boolean', short: 'h' } },
});
const runsDir = resolve(VIEWER_ROOT, '../../runs');
if (values.help) {
  console.log(`Usage: pnpm viewer [runDir] [--port 4173] [--host 127.0.0.1]\nServes a run folder (default: the newest under ${runsDir}) with the viewer page.`);
  process.exit(0);
}
const asked = positionals.find((p) => p !== '--');
const runDir = asked ? resolve(userCwd(), asked) : latestRun(runsDir);
if (!runDir) {
  console.error(`No run folder found under ${runsDir}. Run \`pnpm experiment\` first, or pass a run folder: pnpm viewer <runDir>`);
  process.exit(1);
}
if (!existsSync(join(runDir, 'results.json'))) {
  console.error(`${runDir}: no results.json here; pass a run folder written by \`pnpm experiment\``);
  process.exit(1);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: '${values.port}' is not a port number`);
  process.exit(2);
}
// A signal sent to the top `pnpm` only ends pnpm without passing it on: the server stops when its launcher ends.
watchLauncher((launcher) => {
  console.log(`${launcher.name} (pid ${launcher.pid}), which started this server, has ended: stopping`);
  process.exit(143);
});
const viewerDir = await ensureViewerBuilt({ log: (line) => console.log(line) });
const { url } = await serveRun({ runDir, viewerDir, host: values.host, port });
console.log(`Serving ${runDir}\n  ${url}\n(Ctrl-C to stop)`);
