import type { Options } from 'tsup';
import { libraryBuild } from '../../tsup.shared';

/** In the CommonJS build, renderSvg.ts becomes renderSvg.cjs.ts, which imports vega and vega-lite lazily. */
const lazyVegaForCjs: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'lazy-vega-for-cjs',
  setup(build) {
    if (build.initialOptions.format !== 'cjs') return;
    build.onResolve({ filter: /\/renderSvg\.js$/ }, (args) => ({ path: `${args.resolveDir}/renderSvg.cjs.ts` }));
  },
};

export default libraryBuild({ esbuildPlugins: [lazyVegaForCjs] });
