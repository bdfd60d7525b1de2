// `amparo start` (so `npm start`) runs this first: it builds the console once when
// `web/dist` is missing (a fresh clone), so the server has something to serve at `/`. Later
// starts skip it after one file check; `npm run build` rebuilds on purpose. Never fatal: the
// API starts without a console. Vite's own report is silenced: a newcomer sees one line, and
// an error still says what went wrong.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function buildConsoleIfMissing() {
  if (existsSync(new URL('../dist/index.html', import.meta.url))) return;
  console.log('Building the console (first start) …');
  try {
    const { build } = await import('vite');
    const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
    await build({ configFile, logLevel: 'silent' });
  } catch (error) {
    console.warn(`The console could not be built (${error}); the API starts anyway.`);
  }
}
