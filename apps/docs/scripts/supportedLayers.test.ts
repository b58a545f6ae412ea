import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KNOWN_LAYER_CLASSES } from '@prune/core';
import { describe, expect, it } from 'vitest';
import { renderSupportedLayers, withSupportedLayers } from './supportedLayers';

const page = readFileSync(resolve(import.meta.dirname, '../docs/guide/supported-layers.md'), 'utf8');

describe('supported layers page', () => {
  it('holds the table made from @prune/core\'s layer table and the test zoo (run `pnpm --filter @prune/docs run gen` after a change)', () => {
    const generated = renderSupportedLayers();
    expect(withSupportedLayers(page, generated)).toBe(page);
    for (const className of KNOWN_LAYER_CLASSES) expect(generated).toContain(`\`${className}\``);
  });
});
