#!/usr/bin/env node
// The `amparo` command (`npx amparo …`, and `npm start`, which is `amparo start`). It runs
// src/ as one bundled file (bin/server-bundle.mjs), in this one process: no tsx CLI and no
// npm `prestart` step, each of which started another Node.js process on every start.
import { pathToFileURL } from 'node:url';
import { serverBundle } from './server-bundle.mjs';

// A development start serves the console: build it once when missing (a fresh clone),
// unless AMPARO_WEB_DIR points at a console built elsewhere.
if (process.argv[2] === 'start' && process.env.AMPARO_WEB_DIR === undefined) {
  const { buildConsoleIfMissing } = await import('../web/scripts/build-if-missing.mjs');
  await buildConsoleIfMissing();
}
const bundle = await serverBundle();
if (bundle === null) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
} else {
  await import(pathToFileURL(bundle).href);
}
