// Child process entry: copies the static viewer into the run folder given as argument (building it first when
// its dist/ is missing or stale), so the build's memory and log output stay out of the experiment's process.
import { copyViewer } from '@prune/viewer/copy-viewer';

const runDir = process.argv[2];
if (!runDir) throw new Error('copyViewerChild: missing run folder argument');
const entries = await copyViewer(runDir, { log: (line) => process.stdout.write(`${line}\n`) });
process.stdout.write(`copied ${entries.join(', ')}\n`);
