// Child process entry: copies the static viewer into the run folder given as argument (building it first when
// its dist/ is missing or stale), so the build's memory and log output stay out of the experiment's process.
import { copyViewer } from '@prune/viewer/copy-viewer';
import { watchLauncher } from '@prune/viewer/watch-launcher';

watchLauncher(() => process.exit(143)); // the experiment was stopped: so is the copy (or the build) it asked for

const runDir = process.argv[2];
if (!runDir) throw new Error('copyViewerChild: missing run folder argument');
const entries = await copyViewer(runDir, { log: (line) => process.stdout.write(`${line}\n`) });
process.stdout.write(`copied ${entries.join(', ')}\n`);
