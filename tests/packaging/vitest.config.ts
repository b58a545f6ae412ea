import { defineProject } from 'vitest/config';

// No tfjs setup here: these tests only run npm, node and tsc on packed tarballs.
export default defineProject({
  test: { name: '@prune/packaging-tests', include: ['src/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 900_000 },
});
