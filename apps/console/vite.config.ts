import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Two front-ends, one build each: `vite build --mode console` and `--mode portal` (scripts/build.sh).
// Each is a page of its own under the path ingest serves it at, so its assets live under that path
// too (/console/assets/..., /portal/assets/...) and a reverse proxy needs only the two prefixes.
const SITES = ['console', 'portal'];

export default defineConfig(({ mode }) => {
  if (!SITES.includes(mode)) throw new Error(`apps/console: build with --mode console or --mode portal, not "${mode}"`);
  return {
    root: fileURLToPath(new URL(`./src/${mode}`, import.meta.url)),
    base: `/${mode}/`,
    plugins: [react()],
    build: {
      outDir: fileURLToPath(new URL(`./dist/${mode}`, import.meta.url)),
      emptyOutDir: true,
      // Modern browsers only (ES2023 and the CSSOM the portal's brand colour needs).
      target: 'es2023',
    },
    // `vite --mode console` in apps/console serves the page with hot reload; the API stays on ingest.
    server: { proxy: { '/api': process.env.HOOKLINE_API_URL ?? 'http://127.0.0.1:8080' } },
  };
});
