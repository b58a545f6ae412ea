import { resolve } from 'node:path';
import { userCwd } from '@prune/cli/process';
import { copyViewer } from './copyViewer';

// pnpm --filter @prune/viewer run copy -- <runDir>: puts the built viewer beside a run's files.
const dir = process.argv.slice(2).find((a) => a !== '--');
if (!dir) {
  console.error('usage: copy <runDir>');
  process.exit(2);
}
const entries = await copyViewer(resolve(userCwd(), dir), { log: (l) => console.log(l) });
console.log(`Copied ${entries.join(', ')} into ${dir}`);
