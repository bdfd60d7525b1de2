import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  currentTotp,
  launchChromium,
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  viewports,
} from './browser.js';
import { buildConsole, type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * The console end to end, in Debian's Chromium against the real server and database: an
 * enrolment clerk signs in with TOTP, enrols a person, meets a near-duplicate, issues a card
 * whose PNG the offline verifier accepts, and the person then sees the clerk's access with its
 * purpose, each line verified in their browser. Every page passes axe-core (no serious or
 * critical violation) and fits a 360 px screen.
 */
let server: ConsoleServer;
let browser: Browser;
const state = { uin: '', personId: '', slipCode: '', cardPng: Buffer.alloc(0) };

beforeAll(async () => {
  const [webDir, launched] = await Promise.all([buildConsole(), launchChromium()]);
  browser = launched;
  server = await startConsoleServer(webDir);
}, 90_000);

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  for (const context of operatorContexts.values()) await context.close();
  await browser?.close();
  await server?.close();
});

const pageErrors: string[] = [];
const operatorContexts = new Map<string, BrowserContext>();

async function newContext(viewport: keyof typeof viewports = 'desktop'): Promise<BrowserContext> {
  // bypassCSP lets the test inject axe-core; the console itself runs under the server's CSP
  // as far as its own scripts go (no inline script, no eval).
  const context = await browser.newContext({ viewport: viewports[viewport], bypassCSP: true });
  // A missing element fails within seconds, naming the locator, not at the test's timeout.
  context.setDefaultTimeout(8_000);
  context.on('weberror', (error) => pageErrors.push(error.error().message));
  return context;
}

async function newPage(viewport: keyof typeof viewports = 'desktop'): Promise<Page> {
  return (await newContext(viewport)).newPage();
}

/**
 * A page signed in as the demo operator. Each operator signs in once per run: a TOTP code is
 * accepted only once, and two sign-ins within one 30-second step would reuse it.
 */
async function operatorPage(username: string): Promise<Page> {
  const held = operatorContexts.get(username);
  if (held) {
    const page = await held.newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.getByTestId('who-am-i').waitFor();
    return page;
  }
  const context = await newContext();
  const page = await context.newPage();
  await signIn(page, username);
  operatorContexts.set(username, context);
  return page;
}

/**
 * The browser remembers the largest head it verified; a later visit shown a smaller log (as a
 * rolled-back server would show) gets a warning. Here the memory is raised instead of the
 * server's log lowered: the browser's check is the same.
 */
async function expectRollbackWarning(page: Page): Promise<void> {
  const key = 'amparo.history.largestVerifiedHead';
  // Expressions, not functions: this file is compiled without the DOM's types.
  const remembered = await page.evaluate<string | null>(
    `localStorage.getItem(${JSON.stringify(key)})`,
  );
  expect(JSON.parse(remembered ?? '{}').treeSize).toBeGreaterThan(0);
  expect(await page.getByTestId('head-memory').count()).toBe(0);
  const larger = JSON.stringify({ ...JSON.parse(remembered ?? '{}'), treeSize: 1_000_000 });
  await page.evaluate(`localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(larger)})`);
  await page.reload();
  const banner = page.getByTestId('head-memory');
  await banner.waitFor();
  expect(await banner.getAttribute('data-state')).toBe('rolled_back');
  expect(await banner.textContent()).toContain('más corto');
  await expectAccessible(page);
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** The control with this visible label; required fields show a star after it. */
function labelled(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}( \\*)?$`));
}

async function signIn(page: Page, username: string): Promise<void> {
  const operator = server.operators.get(username);
  if (!operator) throw new Error(`no demo operator ${username}`);
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel('Usuario').fill(username);
  await page.getByLabel('Contraseña').fill(operator.password);
  await page
    .getByLabel('Código de la aplicación autenticadora')
    .fill(currentTotp(operator.totpSecretBase32));
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('who-am-i').waitFor();
}

const person = {
  given: 'Yusmary Carolina',
  first: 'Villalobos',
  second: 'Ortega',
  birth: '1990-03-14',
};

async function fillEnrolment(page: Page, givenNames: string): Promise<void> {
  await labelled(page, 'Nombres').fill(givenNames);
  await labelled(page, 'Primer apellido').fill(person.first);
  await page.getByLabel('Segundo apellido').fill(person.second);
  await labelled(page, 'Sexo').selectOption('F');
  await labelled(page, 'Fecha de nacimiento').fill(person.birth);
  await labelled(page, 'Estado de residencia').selectOption('VE-A');
  await page.getByLabel('Municipio').selectOption({ label: 'Libertador' });
}

describe('console, end to end', () => {
  it('signs an enrolment clerk in with TOTP and offers only what the role allows', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/sign-in`);
    await expectAccessible(page);
    await screenshot(page, '01-sign-in');
    await signIn(page, 'clerk');
    operatorContexts.set('clerk', context);
    const navigation = page.getByRole('navigation', { name: 'Principal' });
    await expect
      .poll(() => navigation.getByRole('link').allTextContents())
      .toEqual([
        'Buscar personas',
        'Inscribir',
        // Another clerk's PIN or payee account set without a phone waits for a second account
        // (payment.pin_approve, payee.approve).
        'Aprobar verificaciones',
        'Mi contraseña',
        // Public pages, in everyone's menu.
        'Programas sociales',
        'Datos abiertos',
        'Verificar un carnet',
      ]);
    await page.getByLabel('Idioma').selectOption('en');
    await expect
      .poll(() => page.getByTestId('who-am-i').textContent())
      .toContain('an enrolment clerk');
    await page.reload();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel('Language').selectOption('es');
    await page.close();
  });

  it('enrols a person with live, catalogue-driven checks, then holds a near-duplicate', async () => {
    const page = await operatorPage('clerk');
    await page.getByRole('link', { name: 'Inscribir' }).click();
    const given = labelled(page, 'Nombres');
    await given.fill('Ana 2');
    await given.blur();
    await expect.poll(() => page.getByText('Solo letras, espacios, apóstrofos').count()).toBe(1);
    await page.getByRole('button', { name: 'Inscribir' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Corrija');
    await fillEnrolment(page, person.given);
    await expectAccessible(page);
    await screenshot(page, '02-enrol-form');
    await page.getByRole('button', { name: 'Inscribir' }).click();
    state.uin = (await page.getByTestId('new-uin').textContent()) ?? '';
    expect(state.uin).toMatch(/^[2-9][0-9]{9}$/);

    await page.getByRole('button', { name: 'Inscribir a otra persona' }).click();
    await fillEnrolment(page, 'Yusmari Carolina');
    await page.getByRole('button', { name: 'Inscribir' }).click();
    const warning = page.getByTestId('duplicate-warning');
    await expect.poll(() => warning.textContent()).toContain('Posible duplicado');
    const candidates = page.getByTestId('candidates');
    expect(await candidates.textContent()).toContain(state.uin);
    expect(await candidates.textContent()).toContain('Yusmari Carolina');
    await expectAccessible(page);
    await screenshot(page, '03-duplicate-held');
    await page.close();
  });

  it('opens the record only after a purpose is chosen, issues a card and a sign-in slip', async () => {
    const page = await operatorPage('clerk');
    await page.goto(`${server.baseUrl}/persons`);
    await page.getByLabel('Buscar por').selectOption('uin');
    await labelled(page, 'Texto a buscar').fill(state.uin);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByRole('link', { name: /Yusmary Carolina/ }).click();
    const purposes = page.getByRole('radio');
    await purposes.first().waitFor();
    expect(await purposes.count()).toBe(1);
    expect(await page.getByLabel(/Inscripción/).isChecked()).toBe(true);
    await expectAccessible(page);
    await screenshot(page, '04-purpose-first');
    await page.getByRole('button', { name: 'Abrir el registro' }).click();
    await expect
      .poll(() => page.getByTestId('purpose-banner').textContent())
      .toContain('Inscripción');
    state.personId = page.url().split('/persons/')[1]?.split('?')[0] ?? '';

    await page.getByRole('button', { name: 'Emitir carnet' }).click();
    const pngLink = page.getByTestId('card-png');
    const href = (await pngLink.getAttribute('href')) ?? '';
    // The card id is hex on both dialects (PGlite once handed bytea over as a Uint8Array,
    // and the console linked to /api/credentials/107,73,…/card.png).
    expect(href).toMatch(/^\/api\/credentials\/[0-9a-f]{16,}\/card\.png/);
    const png = await page.request.get(`${server.baseUrl}${href}`);
    expect(png.headers()['content-type']).toBe('image/png');
    const pdfHref = (await page.getByTestId('card-pdf').getAttribute('href')) ?? '';
    const pdf = await page.request.get(`${server.baseUrl}${pdfHref}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    state.cardPng = Buffer.from(await png.body());

    await page.getByRole('button', { name: 'Generar código' }).click();
    state.slipCode = (await page.getByTestId('slip-code').textContent()) ?? '';
    expect(state.slipCode).toMatch(/^[0-9]{6}$/);
    await expectAccessible(page);
    await screenshot(page, '05-person');
    await page.close();
  });

  it('verifies the card offline from its PNG against the signed trust list', async () => {
    const page = await newPage('phone');
    await page.goto(`${server.baseUrl}/verify`);
    const anchor = Buffer.from(
      server.keys.trustListSigning.publicKey.export({ format: 'der', type: 'spki' }),
    )
      .subarray(-32)
      .toString('hex');
    await labelled(page, 'Clave ancla de confianza').fill(anchor);
    await page.getByRole('button', { name: 'Cargar la lista' }).click();
    await page.getByTestId('trust-list-status').waitFor();
    await page.getByLabel('Foto o imagen del carnet').setInputFiles({
      name: 'card.png',
      mimeType: 'image/png',
      buffer: state.cardPng,
    });
    const text = page.getByLabel('Texto del código QR');
    await expect.poll(() => text.inputValue(), { timeout: 10_000 }).not.toBe('');
    // The photo alone gives the verdict, above the trust-list set-up and scrolled into view.
    const verdict = page.getByTestId('verdict');
    await expect.poll(() => verdict.getAttribute('data-status')).toBe('valid');
    // Positions in the viewport (boundingBox); both are measured at the same scroll position.
    const top = async (selector: string) =>
      (await page.locator(selector).first().boundingBox())?.y ?? Number.NaN;
    expect(await top('[data-testid=verdict]')).toBeLessThan(await top('#trust-heading'));
    await expect.poll(() => top('[data-testid=verdict]')).toBeLessThan(viewports.phone.height / 2);
    expect(await top('[data-testid=verdict]')).toBeGreaterThanOrEqual(0);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, '06-verifier-phone');
    await page.setViewportSize(viewports.desktop);
    await page.getByRole('button', { name: 'Verificar' }).click();
    await expect.poll(() => verdict.getAttribute('data-status')).toBe('valid');
    expect(await verdict.textContent()).toContain('Yusmary Carolina Villalobos Ortega');
    expect(await verdict.textContent()).toContain(state.uin);
    await expectAccessible(page);
    await screenshot(page, '06-verifier-valid');

    // One character changed in the signed text: the verdict must not be valid.
    const original = await text.inputValue();
    const position = Math.floor(original.length / 2);
    const swapped = original[position] === 'A' ? 'B' : 'A';
    await text.fill(original.slice(0, position) + swapped + original.slice(position + 1));
    await page.getByRole('button', { name: 'Verificar' }).click();
    await expect.poll(() => verdict.getAttribute('data-status')).not.toBe('valid');
    await page.context().close();
  });

  it("shows the person the clerk's access with its purpose, each line verified", async () => {
    const page = await newPage('phone');
    await page.goto(`${server.baseUrl}/citizen`);
    await labelled(page, 'Número de identificación').fill(state.uin);
    await labelled(page, 'Código de un solo uso').fill(state.slipCode);
    await page.getByRole('button', { name: 'Entrar' }).click();
    const history = page.getByTestId('access-history');
    await history.waitFor();
    // Grouped by day and by who looked; every line inside is still checked on its own.
    const lines = history.locator('.history-line');
    await expect
      .poll(async () => history.locator('[data-verified=true]').count())
      .toBe(await lines.count());
    const groups = history.getByTestId('history-group');
    expect(await groups.count()).toBeLessThan(await lines.count());
    expect(await history.locator('[data-group-verified=true]').count()).toBe(await groups.count());
    const clerkGroup = groups.filter({
      hasText: 'Alguien de personal de inscripción en Distrito Capital',
    });
    expect(await clerkGroup.count()).toBe(1);
    // The person's own sign-in and reads of one day are one group, not a line each.
    expect(await groups.filter({ hasText: /Usted \d+ acceso/ }).count()).toBe(1);
    await clerkGroup.locator('summary').click();
    await clerkGroup
      .getByText(
        /^\d{2}:\d{2} — Miró su registro, para inscribir o actualizar a la persona en el registro\.$/,
      )
      .first()
      .waitFor();
    await clerkGroup.getByText(/Imprimió un código de acceso para usted/).waitFor();
    expect(await history.locator('[data-verified=false]').count()).toBe(0);
    // Their card: valid, and the download is the very card the clerk printed.
    const myCard = page.getByTestId('my-card');
    expect(await myCard.getAttribute('data-status')).toBe('active');
    expect(await myCard.textContent()).toContain('Su carnet está vigente hasta el');
    const ownHref = (await page.getByTestId('my-card-png').getAttribute('href')) ?? '';
    const ownPng = await page.request.get(`${server.baseUrl}${ownHref}`);
    expect(ownPng.headers()['content-type']).toBe('image/png');
    expect(Buffer.from(await ownPng.body()).equals(state.cardPng)).toBe(true);
    expect(await overflowsHorizontally(page)).toBe(false);
    await expectAccessible(page);
    await screenshot(page, '07-citizen-phone');
    await page.setViewportSize(viewports.desktop);
    await screenshot(page, '07-citizen-desktop');
    await expectRollbackWarning(page);
    await page.context().close();
  });

  it('lets a supervisor decide the held enrolment and an auditor check the log', async () => {
    const supervisor = await operatorPage('supervisor');
    await supervisor.getByRole('link', { name: 'Posibles duplicados' }).click();
    // The candidates' records load after the queue: wait for them, not only for the table.
    const comparison = supervisor.getByTestId('candidates').first();
    await expect.poll(() => comparison.textContent()).toContain(state.uin);
    await expectAccessible(supervisor);
    await screenshot(supervisor, '08-review-queue');
    // On a phone each candidate is a card of its own, inside the screen, not a column off it.
    await supervisor.setViewportSize(viewports.phone);
    const card = supervisor.getByTestId('candidates-narrow').first();
    await card.getByText(state.uin).waitFor();
    const box = await card.boundingBox();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= viewports.phone.width).toBe(
      true,
    );
    expect(await comparison.isVisible()).toBe(false);
    expect(await overflowsHorizontally(supervisor)).toBe(false);
    await expectAccessible(supervisor);
    await screenshot(supervisor, '08-review-queue-phone');
    await supervisor.setViewportSize(viewports.desktop);
    await supervisor.getByRole('button', { name: 'Es una persona nueva' }).click();
    await supervisor.getByText('No hay nada pendiente.').waitFor();
    await supervisor.close();

    const auditor = await operatorPage('auditor');
    await auditor.getByRole('link', { name: 'Auditoría' }).click();
    await auditor.getByRole('button', { name: 'Comprobar ahora' }).click();
    await expect.poll(() => auditor.getByTestId('log-check').getAttribute('data-ok')).toBe('true');
    // The log's entries, newest first: the page's own reads (the alerts and the entries are
    // fetched at once, so either may be newest); filtered to card issuances, only those remain.
    const entries = auditor.getByTestId('audit-entries');
    expect(['audit.read', 'alert.read']).toContain(
      await entries.locator('tbody tr').first().getAttribute('data-action'),
    );
    await auditor.getByLabel('Acción').selectOption('credential.issue');
    await auditor.getByRole('button', { name: 'Mostrar' }).click();
    await expect
      .poll(async () => [
        ...new Set(
          await Promise.all(
            (await entries.locator('tbody tr').all()).map((row) => row.getAttribute('data-action')),
          ),
        ),
      ])
      .toEqual(['credential.issue']);
    expect(await entries.textContent()).toContain('personal de inscripción');
    await auditor.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(auditor)).toBe(false);
    // A root hash wraps in lines of several characters, not one character per line.
    const hashCell = await auditor.locator('td.hash').first().boundingBox();
    expect(hashCell?.width ?? 0).toBeGreaterThan(100);
    await screenshot(auditor, '09-audit-phone');
    await auditor.setViewportSize(viewports.desktop);
    await expectAccessible(auditor);
    await screenshot(auditor, '09-audit');
    await auditor.close();
  });

  it('fits every main page on a 360 px screen without serious accessibility problems', async () => {
    const page = await newPage('phone');
    for (const path of ['/', '/citizen', '/verify', '/sign-in']) {
      await page.goto(`${server.baseUrl}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await overflowsHorizontally(page), path).toBe(false);
      await expectAccessible(page);
    }
    await page.context().close();
    const clerk = await operatorPage('clerk');
    await clerk.setViewportSize(viewports.phone);
    for (const path of ['/persons', '/enrol', `/persons/${state.personId}?purpose=enrolment`]) {
      await clerk.goto(`${server.baseUrl}${path}`);
      await clerk.getByRole('heading', { level: 1 }).waitFor();
      expect(await overflowsHorizontally(clerk), path).toBe(false);
      await expectAccessible(clerk);
    }
    await screenshot(clerk, '10-person-phone');
    await clerk.close();
  });
});
