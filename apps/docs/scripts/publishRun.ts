// Publishes a real run of `pnpm experiment` on the docs site: the run folder as the live report (it is a complete
// static site: the built viewer, results.json, the model and the what-if data) under public/report/, and its
// figures under public/lab/ with the name given.
//   pnpm --filter @prune/docs exec tsx scripts/publishRun.ts <run folder> [figure prefix]
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [runDir, prefix] = process.argv.slice(2);
if (!runDir || !existsSync(join(runDir, 'results.json')) || !existsSync(join(runDir, 'index.html'))) {
  throw new Error(`publishRun: give a run folder holding results.json and the viewer (index.html: pnpm --filter @prune/viewer copy <run folder> puts it there); got ${runDir}`);
}
const publicDir = resolve(import.meta.dirname, '../docs/public');
const report = join(publicDir, 'report');
rmSync(report, { recursive: true, force: true });
// Exported pruned models are not part of the report.
cpSync(runDir, report, { recursive: true, filter: (src) => !src.startsWith(join(runDir, 'pruned')) });
for (const file of readdirSync(runDir).filter((f) => /\.(png|csv)$/.test(f) || f === 'results.json')) {
  cpSync(join(runDir, file), join(publicDir, 'lab', prefix ? `${prefix}_${file}` : file));
}
console.log(`published ${runDir} to ${report}`);
