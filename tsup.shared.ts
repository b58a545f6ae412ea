import { defineConfig, type Options } from 'tsup';

/** The build of one library package: ESM + CJS + types, dependencies left external. */
export function libraryBuild(overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
}
