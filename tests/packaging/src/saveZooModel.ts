// Run with tsx --conditions=@prune/source: saves a seeded zoo model to <dir> (model.json + weights.bin) and prints
// its hand-counted params before and after pruning every group of it by <ratio> (uniform), for the packed command.
import '@tensorflow/tfjs-backend-cpu';
import { setBackend } from '@tensorflow/tfjs-core';
import { modelArtifacts, pruneModel } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import { ZOO, type ZooName } from '@prune/test-zoo';

const [name, dir, ratio] = process.argv.slice(2) as [ZooName, string, string];
await setBackend('cpu');
const entry = ZOO[name];
const model = entry.build({ seed: 3 });
await fileSystem(dir).save!(await modelArtifacts(model));
const { model: pruned } = await pruneModel(model, { ratio: Number(ratio) });
console.log(JSON.stringify({ before: entry.cost(entry.widthsOf(model)).params, after: entry.cost(entry.widthsOf(pruned)).params }));
