// Publishes a real run of `pnpm experiment` on the docs site: the run folder as the live report (it is a complete
// static site: the built viewer, results.json, the model and the what-if data) under public/report/; the pages show
// its figures from there (/report/accuracy_vs_k.png).
//   pnpm --filter @prune/docs exec tsx scripts/publishRun.ts <run folder>
// To keep the site small it leaves out the SVG copies of the figures (the PNGs stay), exported pruned models, and
// the optional precomputed features of the what-if data (6 MB for the lab): the page then computes them from the
// test images when it opens, as it does for any run without them.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [runDir] = process.argv.slice(2);
if (!runDir || !existsSync(join(runDir, 'results.json')) || !existsSync(join(runDir, 'index.html'))) {
  throw new Error(`publishRun: give a run folder holding results.json and the viewer (index.html: pnpm --filter @prune/viewer copy <run folder> puts it there); got ${runDir}`);
}
const publicDir = resolve(import.meta.dirname, '../docs/public');
const report = join(publicDir, 'report');
rmSync(report, { recursive: true, force: true });
const left = (src: string) => src.startsWith(join(runDir, 'pruned')) || src.endsWith('.svg') || src.endsWith('features.f32');
cpSync(runDir, report, { recursive: true, filter: (src) => !left(src) });
const indexFile = join(report, 'viewer-data/index.json');
const index = JSON.parse(readFileSync(indexFile, 'utf8')) as Record<string, unknown>;
index['features'] = null; // the viewer then computes them from the test images
writeFileSync(indexFile, `${JSON.stringify(index, null, 2)}\n`);
console.log(`published ${runDir} to ${report}`);
