import { packageProject } from '../../vitest.shared';

// Examples run as tests (so the docs cannot rot); e2e builds the site and opens it in Chromium.
export default packageProject('@prune/docs', {
  include: ['examples/**/*.test.ts', 'scripts/**/*.test.ts', 'e2e/**/*.test.ts'],
  fileParallelism: false,
});
