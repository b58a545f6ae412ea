import { builtinModules } from 'node:module';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const STUB = '\0node-builtin-stub:';
const isBuiltin = (id: string): boolean => id.startsWith('node:') || builtinModules.includes(id.split('/')[0] ?? '');

/**
 * The shared packages' index files also export their Node-only helpers (file-system model handlers, IDX file
 * readers), which import Node built-ins. The page never calls them, so each built-in resolves to a stub whose
 * exports throw a clear error if ever called, and tree-shaking drops them from the bundle.
 */
function nodeBuiltinStubs(): Plugin {
  return {
    name: 'prune-node-builtin-stubs',
    enforce: 'pre',
    resolveId(id) {
      return isBuiltin(id) ? STUB + id : null;
    },
    async load(id) {
      if (!id.startsWith(STUB)) return null;
      const name = id.slice(STUB.length);
      const real = (await import(name)) as Record<string, unknown>;
      const keys = Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      const fail = `function unavailable(){throw new Error(${JSON.stringify(`${name} is not available in the browser`)});}`;
      return [fail, ...keys.map((k) => `export const ${k} = unavailable;`), 'export default {};'].join('\n');
    },
  };
}

// A static page: relative asset URLs, so the built folder works from any path (a run folder, a static host).
export default defineConfig({
  base: './',
  plugins: [nodeBuiltinStubs()],
  resolve: { conditions: ['@prune/source', ...defaultClientConditions] },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000, assetsInlineLimit: 0 },
});
