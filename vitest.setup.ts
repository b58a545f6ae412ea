// Tests choose the backend, as apps do; libraries never do. PRUNE_TEST_BACKEND picks it: wasm (default,
// completed for training by @prune/backend) or cpu. Oracle tests switch to cpu themselves.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { env, setBackend } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '@prune/backend';

env().set('IS_TEST', true);
const backend = process.env.PRUNE_TEST_BACKEND ?? 'wasm';
if (backend === 'wasm') registerWasmTrainingKernels();
if (!(await setBackend(backend))) throw new Error(`vitest.setup: backend '${backend}' did not initialise`);
