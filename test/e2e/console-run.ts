import type { Browser, BrowserContext, Page } from 'playwright-core';
import { currentTotp, launchChromium, viewports } from './browser.js';
import { buildConsole, type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * What most console tests need: the console built from source, the real server on a free
 * port, Debian's Chromium, pages in fresh contexts (errors collected), and sign-in as a demo
 * operator. Each operator may sign in once per 30-second step (a TOTP code works once).
 *
 * @example
 *   let run: ConsoleRun;
 *   beforeAll(async () => { run = await openConsoleRun(); }, 90_000);
 *   afterAll(async () => run?.close());
 *   const page = await run.signedIn('supervisor');
 */
export interface ConsoleRun {
  server: ConsoleServer;
  browser: Browser;
  /** Uncaught errors of every page opened through `newPage`. */
  pageErrors: string[];
  newPage(viewport?: keyof typeof viewports): Promise<Page>;
  signIn(page: Page, username: string, password: string, totpSecretBase32: string): Promise<void>;
  /** A new page signed in as a demo operator (`demo-operators.ts`). */
  signedIn(username: string, viewport?: keyof typeof viewports): Promise<Page>;
  close(): Promise<void>;
}

/** `browserArgs`: more Chromium arguments, such as a fake camera (`fakeCameraArgs`). */
export async function openConsoleRun(
  options: { browserArgs?: readonly string[] } = {},
): Promise<ConsoleRun> {
  const [webDir, browser] = await Promise.all([
    buildConsole(),
    launchChromium(options.browserArgs),
  ]);
  const server = await startConsoleServer(webDir);
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const run: ConsoleRun = {
    server,
    browser,
    pageErrors,
    async newPage(viewport = 'desktop') {
      // bypassCSP lets the test inject axe-core; the console runs under the server's CSP.
      const context = await browser.newContext({ viewport: viewports[viewport], bypassCSP: true });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.setDefaultTimeout(15_000);
      return page;
    },
    async signIn(page, username, password, totpSecretBase32) {
      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByLabel('Usuario').fill(username);
      await page.getByLabel('Contraseña').fill(password);
      await page
        .getByLabel('Código de la aplicación autenticadora')
        .fill(currentTotp(totpSecretBase32));
      await page.getByRole('button', { name: 'Entrar' }).click();
      await page.getByTestId('who-am-i').waitFor();
    },
    async signedIn(username, viewport = 'desktop') {
      const operator = server.operators.get(username);
      if (!operator) throw new Error(`no demo operator ${username}`);
      const page = await run.newPage(viewport);
      await run.signIn(page, username, operator.password, operator.totpSecretBase32);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
      await server.close();
    },
  };
  return run;
}
