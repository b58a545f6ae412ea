import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineProject, type ViteUserConfig } from 'vitest/config';

/** The vitest project of one workspace package: tests read sibling packages' source, not their dist. */
export function packageProject(name: string, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineProject({
    resolve: { conditions: ['@prune/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@prune/source', ...defaultServerConditions] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts'],
      setupFiles: [new URL('./vitest.setup.ts', import.meta.url).pathname],
      testTimeout: 120_000,
      hookTimeout: 300_000,
      ...overrides,
    },
  });
}
