import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { limits } from '../../src/limits.js';
import { base32Decode } from '../../src/modules/access/base32.js';
import { totpCode, totpStep } from '../../src/modules/access/totp.js';
import { receivedCode } from '../../src/modules/notifications/received-text-test-kit.js';
import type { ConsoleServer } from './console-server.js';

/**
 * Debian's Chromium driven by playwright-core, headless, never a downloaded browser; plus the
 * checks every page gets (axe-core) and screenshots kept under `test-results/` as artefacts.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/**
 * A camera for Chromium's fake capture device (`--use-file-for-fake-video-capture`): a Y4M
 * video (I420, 640×480, a few identical frames, which Chromium loops) showing a QR code's
 * modules, black on white with its quiet zone, as a card held up to the camera shows it. The
 * frames are written by hand: luma 16 for a dark module, 235 for a light one, chroma neutral.
 *
 * @example
 *   const file = writeQrCameraVideo(cardQr(qrText), path.join(dir, 'card.y4m'));
 *   await launchChromium(fakeCameraArgs(file));
 */
export function writeQrCameraVideo(
  qr: { size: number; isDark: (row: number, column: number) => boolean },
  file: string,
): string {
  const quietModules = 4;
  const modulePixels = Math.floor(
    Math.min(cameraFrame.width, cameraFrame.height) / (qr.size + 2 * quietModules),
  );
  if (modulePixels < 2) throw new Error(`a QR of ${qr.size} modules does not fit 480 px`);
  const side = qr.size * modulePixels;
  return writeCameraVideo(file, side, side, (x, y) =>
    qr.isDark(Math.floor(y / modulePixels), Math.floor(x / modulePixels)) ? 16 : 235,
  );
}

/**
 * The same fake camera showing an image as the screen drew it (an RGBA screenshot, say of the
 * QR a merchant's screen shows), centred on a light background at its own size: what a phone
 * held up to that screen sees, with nothing regenerated from the code's text.
 */
export function writeImageCameraVideo(
  image: { pixels: Uint8ClampedArray; width: number; height: number },
  file: string,
): string {
  const { pixels, width } = image;
  return writeCameraVideo(file, image.width, image.height, (x, y) => {
    const at = (y * width + x) * 4;
    // BT.601 luma, scaled into the video range 16–235 as a camera's frames are.
    const luma =
      0.299 * (pixels[at] ?? 0) + 0.587 * (pixels[at + 1] ?? 0) + 0.114 * (pixels[at + 2] ?? 0);
    return Math.round(16 + (luma * 219) / 255);
  });
}

const cameraFrame = { width: 640, height: 480 } as const;

/** A Y4M of three identical 640×480 frames, `lumaAt` drawn in the middle of a light frame. */
function writeCameraVideo(
  file: string,
  pictureWidth: number,
  pictureHeight: number,
  lumaAt: (x: number, y: number) => number,
): string {
  const { width, height } = cameraFrame;
  if (pictureWidth > width || pictureHeight > height) {
    throw new Error(
      `a picture of ${pictureWidth}×${pictureHeight} does not fit ${width}×${height}`,
    );
  }
  const left = Math.floor((width - pictureWidth) / 2);
  const top = Math.floor((height - pictureHeight) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < pictureHeight; y += 1)
    for (let x = 0; x < pictureWidth; x += 1) luma[(top + y) * width + left + x] = lumaAt(x, y);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F5:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, frame, frame, frame]));
  return file;
}

/** Chromium's arguments for a fake camera showing `file` and no permission prompt. */
export function fakeCameraArgs(file: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${file}`,
  ];
}

export const viewports = {
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Runs axe-core on the page as it is now; returns serious and critical violations only. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Injected once per document: the console is one page whose screens change without a load,
  // and parsing axe again for each check of the same document was CPU the browser tests share.
  if ((await page.evaluate('typeof globalThis.axe')) !== 'object') {
    await page.addScriptTag({ content: axeSource });
  }
  const violations = await page.evaluate(async () => {
    // axe is the global the injected script defines; the page has no types for it.
    const axe = (
      globalThis as unknown as {
        axe: { run: (context: unknown, options: object) => Promise<AxeResults> };
      }
    ).axe;
    interface AxeResults {
      violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }>;
    }
    // Every rule still runs; only the violations are gathered into the results (axe's option for
    // speed: passes and inapplicable rules are not reported back).
    const document = (globalThis as unknown as { document: unknown }).document;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.length,
    }));
  });
  return violations.filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''));
}

/** True when the page scrolls sideways: content wider than the viewport. */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // A string expression: this file is type-checked without the DOM library.
  const overflows = await page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth + 1',
  );
  return overflows === true;
}

const shotsDir = 'test-results/console';

/**
 * A full-page screenshot kept under test-results/ for a person to look at. Not taken in CI (its
 * clean clone is thrown away; some 55 full pages of PNG encoding a run); no test reads it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CI === 'true') return;
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: `${shotsDir}/${name}.png`, fullPage: true });
}

/** The authenticator app's current code for a base32 TOTP secret. */
export function currentTotp(secretBase32: string): string {
  return totpCode(base32Decode(secretBase32), totpStep(Date.now()));
}

const lastTotpStep = new Map<string, number>();

/**
 * A TOTP code for a step this operator has not signed in with yet. Sign-in refuses a step used
 * before (a replay) and accepts one step either side of now, so a test that signs the same
 * operator in three times within 30 s must wait for the next step: the tests run fast enough
 * since they share migrated templates for that to happen.
 */
export async function unusedTotp(operator: {
  username: string;
  totp: (stepOffset?: number) => string;
}): Promise<string> {
  for (;;) {
    const now = totpStep(Date.now());
    const step = Math.max(now, (lastTotpStep.get(operator.username) ?? now - 1) + 1);
    if (step <= now + 1) {
      lastTotpStep.set(operator.username, step);
      return operator.totp(step - now);
    }
    await sleep((now + 1) * limits.access.totp.stepSeconds * 1000 - Date.now() + 50);
  }
}

/** An account as the tests build one: it signs in with its password and authenticator. */
interface Account {
  username: string;
  password: string;
  totp: (stepOffset?: number) => string;
}

/**
 * The session each account signed in with on a file's server (keyed by the server: each file
 * has its own), reused by `signedInPage` and `sessionCookieOf`. A second sign-in of the same
 * account took another TOTP step, and a third within 30 s waited for one (`unusedTotp`): 38 s
 * of console-payments' 107 s were that wait. The sign-in itself is proved once per account;
 * tests that test signing in call the sign-in route or screen themselves.
 */
const sessions = new WeakMap<object, Map<string, string>>();

function sessionsOf(server: object): Map<string, string> {
  let known = sessions.get(server);
  if (!known) {
    known = new Map();
    sessions.set(server, known);
  }
  return known;
}

/**
 * A new page whose browser context carries the operator's session on this server: the one it
 * signed in with before through these helpers, or a new one (the API's sign-in, with a TOTP
 * step the operator has not used, `unusedTotp`); opened at `path` when one is given. Throws
 * when the sign-in is refused.
 *
 * @example
 *   const page = await signedInPage(run, officer, { viewport: 'phone', path: '/' });
 */
export async function signedInPage(
  run: {
    server: Pick<ConsoleServer, 'baseUrl' | 'app'>;
    newPage: (viewport?: keyof typeof viewports) => Promise<Page>;
  },
  operator: Account,
  options: { viewport?: keyof typeof viewports; path?: string } = {},
): Promise<Page> {
  const page = await run.newPage(options.viewport ?? 'desktop');
  const session = await sessionCookieOf(run, operator);
  await page
    .context()
    .addCookies([{ name: 'amparo_session', value: session, url: run.server.baseUrl }]);
  if (options.path !== undefined) await page.goto(`${run.server.baseUrl}${options.path}`);
  return page;
}

/**
 * A new phone-width page signed in as the person on their own page (`/citizen/me`): the ID
 * number, then the code texted to them as the phone shows it (the outbox keeps it sealed).
 *
 * @example
 *   const page = await citizenSignedInPage(run, { id: person.id, uin: person.uin });
 */
export async function citizenSignedInPage(
  run: {
    server: Pick<ConsoleServer, 'baseUrl' | 'database' | 'keys'>;
    newPage: (viewport?: keyof typeof viewports) => Promise<Page>;
  },
  who: { id: string; uin: string },
): Promise<Page> {
  const page = await run.newPage('phone');
  await page.goto(`${run.server.baseUrl}/citizen`);
  await page.getByLabel('Número de identificación').fill(who.uin);
  await page.getByRole('button', { name: 'Enviarme un código por SMS' }).click();
  await page.getByText(/el código va en camino/i).waitFor();
  const code = await receivedCode(
    { db: run.server.database.db, masterKey: run.server.keys.masterKey },
    { personId: who.id, templateId: 'citizen.sign_in_code' },
  );
  await page.getByLabel('Código de un solo uso').fill(code);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('my-benefits').waitFor();
  return page;
}

/**
 * The value of the account's session cookie on this server: the session it signed in with
 * before through these helpers, or a new one signed in through the API (no browser) with a
 * TOTP step it has not used.
 *
 * @example
 *   const cookies = { amparo_session: await sessionCookieOf(run, officer) };
 */
export async function sessionCookieOf(
  run: { server: Pick<ConsoleServer, 'app'> },
  account: Account,
): Promise<string> {
  const known = sessionsOf(run.server);
  const reused = known.get(account.username);
  if (reused !== undefined) return reused;
  const response = await run.server.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: {
      username: account.username,
      password: account.password,
      totp: await unusedTotp(account),
    },
  });
  if (response.statusCode !== 200) {
    throw new Error(`sign-in of ${account.username}: ${response.statusCode} ${response.body}`);
  }
  const session = /amparo_session=([^;]+)/.exec(String(response.headers['set-cookie']))?.[1] ?? '';
  known.set(account.username, session);
  return session;
}
