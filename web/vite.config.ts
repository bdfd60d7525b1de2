import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console is built from `web/` into `web/dist`, which the Amparo server serves at `/`.
 * In development (`npx vite web`) the API is proxied to a server started with `npm start`.
 *
 * @example
 *   npx vite build --config web/vite.config.ts   // what `npm run build:web` runs
 */
const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // A map file lets operators report a readable stack; it holds no secrets.
    sourcemap: true,
    target: 'es2022',
    // The entry chunk is React, the router, TanStack Query, i18next and the place names
    // (about 130 kB gzipped); the codec and QR reader load only with the verifier page.
    chunkSizeWarningLimit: 450,
  },
  server: {
    proxy: { '/api': process.env.AMPARO_API_URL ?? 'http://127.0.0.1:8080' },
  },
});
