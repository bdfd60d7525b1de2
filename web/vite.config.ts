import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The console is built from `web/` into `web/dist`, which the Amparo server serves at `/`.
 * In development (`npx vite web`) the API is proxied to a server started with `npm start`.
 *
 * @example
 *   npx vite build --config web/vite.config.ts   // what `npm run build:web` runs
 */
const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** Files copied from `public/` that the offline verifier and point of service need; Vite does not list them. */
const publicFiles = [
  ...['manifest', 'pos', 'pay'].flatMap((app) => [`/${app}.webmanifest`, `/${app}.en.webmanifest`]),
  ...['/icon.svg', '/icon-192.png', '/icon-512.png', '/icon-maskable-512.png'],
];

/**
 * Writes `sw.js` (from sw/service-worker.js) with the list of every built file, so the
 * verifier's service worker precaches the app shell and all chunks, the verifier's included.
 */
function verifierServiceWorker(): Plugin {
  return {
    name: 'amparo-verifier-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle)
        .filter((file) => !file.endsWith('.map') && file !== 'index.html')
        .map((file) => `/${file}`)
        .sort();
      const files = [...built, ...publicFiles];
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      const template = readFileSync(new URL('sw/service-worker.js', import.meta.url), 'utf8');
      const source = template
        .replace('[]; // build: files', `${JSON.stringify(files)};`)
        .replace("'source'; // build: version", `'${version}';`);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  root: webRoot,
  plugins: [react(), verifierServiceWorker()],
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
