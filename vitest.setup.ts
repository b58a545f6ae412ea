// Tests choose the backend, as apps do; libraries never do. PRUNE_TEST_BACKEND picks it (default cpu).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { env, setBackend } from '@tensorflow/tfjs-core';

env().set('IS_TEST', true);
const backend = process.env.PRUNE_TEST_BACKEND ?? 'cpu';
if (!(await setBackend(backend))) throw new Error(`vitest.setup: backend '${backend}' did not initialise`);
