// Rewrites the generated parts of the docs pages (the supported-layers table) from the packages themselves.
import '@tensorflow/tfjs-backend-cpu';
import { setBackend } from '@tensorflow/tfjs-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withSupportedLayers } from './supportedLayers';

await setBackend('cpu');
const page = resolve(import.meta.dirname, '../docs/guide/supported-layers.md');
writeFileSync(page, withSupportedLayers(readFileSync(page, 'utf8')));
console.log(`wrote ${page}`);
