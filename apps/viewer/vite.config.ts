import { defaultClientConditions, defineConfig } from 'vite';

// A static page: relative asset URLs, so the built folder works from any path (a run folder, a static host).
// The packages' root entries import no Node built-in (their Node-only helpers live behind `./node`), so the page
// bundles without stubs.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@prune/source', ...defaultClientConditions] },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000, assetsInlineLimit: 0 },
});
