import { defaultClientConditions, defineConfig } from 'vite';

// A static page: relative asset URLs, so the built folder works from any path or static host.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@prune/source', ...defaultClientConditions] },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000, assetsInlineLimit: 0 },
});
