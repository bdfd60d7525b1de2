import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { limits } from '../../src/limits.js';
import { base32Decode } from '../../src/modules/access/base32.js';
import { totpCode, totpStep } from '../../src/modules/access/totp.js';

/**
 * Debian's Chromium driven by playwright-core, headless, never a downloaded browser; plus the
 * checks every page gets (axe-core) and screenshots kept under `test-results/` as artefacts.
 */
export async function launchChromium(): Promise<Browser> {
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
    ],
  });
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
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // axe is the global the injected script defines; the page has no types for it.
    const axe = (globalThis as unknown as { axe: { run: () => Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }>;
    }
    const results = await axe.run();
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

export async function screenshot(page: Page, name: string): Promise<void> {
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
