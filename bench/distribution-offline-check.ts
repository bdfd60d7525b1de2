import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import { build as viteBuild } from 'vite';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { offlineDevice } from '../src/modules/distribution/offline/offline-test-kit.js';
import { loadKeyStore } from '../src/platform/crypto/key-store.js';
import { launchChromium } from '../test/e2e/browser.js';
import { buildOperator, cheapHashOptions } from '../test/factories.js';
import { distributionWorld, quantiles } from './lib/distribution-world.js';
import { loadAverage } from './lib/program-population.js';

/**
 * The offline card check in the browser (issue #15: "offline card check plus entitlement lookup
 * in the browser p99 ≤ 100 ms"): `persons` card holders (cards issued through the API) plus
 * `moreHolders` entitled card holders written by SQL (the snapshot's size; their QR texts are
 * not known, so the checks pick among the first) on a throwaway PostgreSQL database, one point
 * and a registered device; the point's signed snapshot
 * as the server serves it; then, in Debian's Chromium, the app's own code
 * (`web/src/features/distribution/offline/offline-snapshot.ts`, bundled by Vite) opens the
 * snapshot (signature, trust and revocation lists) and checks `checks` cards picked at random:
 * the card's signature against the snapshot's trust list, its validity, the revocation list,
 * and the lookup of what its holder may take. Each check is timed in the page
 * (`performance.now()`); the first `warmup` are left out.
 *
 *   npm run bench -- distribution-offline-check [persons=200] [checks=500] [warmup=20] [moreHolders=0]
 *   npm run bench -- distribution-offline-check 500 1000 20 49500   # a 50,000-holder snapshot
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 200);
  const checks = Number(args[1] ?? 500);
  const warmup = Number(args[2] ?? 20);
  const moreHolders = Number(args[3] ?? 0);
  const loadAtStart = loadAverage();
  const world = await distributionWorld({
    persons,
    litres: 60,
    points: 1,
    operatorsPerPoint: 1,
    stockPerPoint: 1_000_000,
    holdersBySql: moreHolders,
  });
  const browser = await launchChromium();
  const keys = loadKeyStore(world.keysDir);
  const app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' }), {
    database: { kind: 'postgres', db: world.database.app, close: async () => undefined },
    keys,
    rateLimitRequestsMax: 1_000_000_000,
    access: { passwordHashOptions: cheapHashOptions, signInRequestsPerMinuteMax: 1_000_000 },
  });
  const page = createServer();
  try {
    await app.ready();
    const { snapshotText, snapshotKeyHex } = await snapshotFor(app, world, keys.masterKey);
    const bundle = await bundledCheck();
    page.on('request', (request, response) => {
      const module = request.url === '/offline.js';
      response.writeHead(200, {
        'content-type': module ? 'text/javascript' : 'text/html',
      });
      response.end(module ? bundle : '<!doctype html><title>offline check</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const address = page.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const tab = await (await browser.newContext()).newPage();
    await tab.goto(`http://127.0.0.1:${port}/`);
    const qrTexts = Array.from(
      { length: checks + warmup },
      () => world.cards[Math.floor(Math.random() * world.cards.length)]?.qrText as string,
    );
    const measured = await tab.evaluate(
      async ({ text, keyHex, qrs, moduleUrl }) => {
        const started = performance.now();
        // Safe: the page serves the bundle of offline-check-entry.ts at this address.
        const code = (await import(moduleUrl)) as typeof import('./lib/offline-check-entry.js');
        const held = await code.openSnapshot(text, keyHex);
        const openMs = performance.now() - started;
        const times: number[] = [];
        let refused = 0;
        for (const qr of qrs) {
          const begun = performance.now();
          const answer = await code.offlineLookup(held, qr, Date.now() / 1000);
          times.push(performance.now() - begun);
          if (answer.verdict.status !== 'valid' || answer.entitlements.length === 0) refused += 1;
        }
        return { openMs, times, refused, entries: held.payload.entries.length };
      },
      { text: snapshotText, keyHex: snapshotKeyHex, qrs: qrTexts, moduleUrl: '/offline.js' },
    );
    const timed = measured.times.slice(warmup);
    return {
      command: `npm run bench -- distribution-offline-check ${persons} ${checks} ${warmup} ${moreHolders}`,
      persons,
      holdersBySql: moreHolders,
      snapshotEntries: measured.entries,
      snapshotBytes: Buffer.byteLength(snapshotText),
      snapshotOpenMs: +measured.openMs.toFixed(1),
      checks: timed.length,
      checksNotFindingTheHolder: measured.refused,
      checkMs: quantiles(timed),
      targetP99Ms: 100,
      chromium: browser.version(),
      loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    };
  } finally {
    page.close();
    await browser.close();
    await app.close();
    await world.close();
  }
}

/** A registered device of the world's point and its signed snapshot, as served. */
async function snapshotFor(
  app: Awaited<ReturnType<typeof build>>,
  world: Awaited<ReturnType<typeof distributionWorld>>,
  masterKey: Buffer,
): Promise<{ snapshotText: string; snapshotKeyHex: string }> {
  const factory = {
    database: {
      db: world.database.app,
      asAdmin: <T>(work: (admin: typeof world.database.admin) => Promise<T>) =>
        work(world.database.admin),
    },
    masterKey,
    app,
  };
  const username = `bench.${randomUUID().slice(0, 12)}`;
  const officer = await buildOperator(factory, {
    username,
    roles: ['distribution_supervisor'],
    regions: ['VE-A'],
  });
  const signIn = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username, password: officer.password, totp: officer.totp() },
  });
  const cookie = signIn.cookies.find((each) => each.name === 'amparo_session')?.value;
  if (cookie === undefined) throw new Error(`sign-in: ${signIn.body}`);
  const pointId = world.pointIds[0] as string;
  const device = offlineDevice();
  const registered = await app.inject({
    method: 'POST',
    url: `/api/distribution/points/${pointId}/devices?purpose=distribution`,
    cookies: { amparo_session: cookie },
    payload: device.registration(pointId),
  });
  if (registered.statusCode !== 201) throw new Error(`device: ${registered.body}`);
  const operator = world.operators[0];
  if (operator === undefined) throw new Error('no operator');
  const snapshot = await app.inject({
    url: `/api/distribution/points/${pointId}/devices/${registered.json().id}/snapshot?purpose=distribution`,
    headers: { cookie: operator.cookie },
  });
  if (snapshot.statusCode !== 200) throw new Error(`snapshot: ${snapshot.body}`);
  const key = await app.inject({ url: '/api/distribution/snapshot-key' });
  return { snapshotText: snapshot.body, snapshotKeyHex: key.json().publicKey };
}

/** The app's snapshot reader and offline check as one ES module for the browser. */
async function bundledCheck(): Promise<string> {
  const output = await viteBuild({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      lib: {
        entry: path.join(import.meta.dirname, 'lib', 'offline-check-entry.ts'),
        formats: ['es'],
        fileName: 'offline',
      },
    },
  });
  const first = Array.isArray(output) ? output[0] : output;
  if (first === undefined || !('output' in first)) throw new Error('vite gave no bundle');
  const chunk = first.output.find((each) => each.type === 'chunk');
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error('vite gave no chunk');
  return chunk.code;
}
