// `npm start` runs this first: it builds the console once when `web/dist` is missing (a fresh
// clone), so the server has something to serve at `/`. Later starts skip it; `npm run build`
// rebuilds on purpose. Never fatal: the API starts without a console. Vite's own report is
// silenced: a newcomer sees one line, and an error still says what went wrong.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
if (!existsSync(new URL('../dist/index.html', import.meta.url))) {
  console.log('Building the console (first start) …');
  try {
    const { build } = await import('vite');
    await build({ configFile, logLevel: 'silent' });
  } catch (error) {
    console.warn(`The console could not be built (${error}); the API starts anyway.`);
  }
}
