// `npm start` runs this first: it builds the console once when `web/dist` is missing (a fresh
// clone), so the server has something to serve at `/`. Later starts skip it (about 5 s saved);
// `npm run build` rebuilds on purpose. Never fatal: the API starts without a console.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(new URL('../dist/index.html', import.meta.url))) {
  console.log('Building the web console once (web/dist is missing) …');
  const result = spawnSync('npx', ['vite', 'build', '--config', `${webDir}vite.config.ts`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) console.warn('The console could not be built; the API starts anyway.');
}
