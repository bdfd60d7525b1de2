import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleCreator } from '../../src/modules/programs/cycles/cycle-service.js';
import { publishedProgram } from '../../src/modules/programs/programs-test-kit.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  signedInPage,
  viewports,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * Programs in the console, in Debian's Chromium against the real server (issue #13, point
 * 10, and the preview of point 6): the public page read without signing in, in Spanish and
 * English; an officer writes a program whose rule is type-checked as it is typed (the error
 * marked at its position, then the clauses in plain words) and asks for publication; a
 * supervisor sees who would enter, as counts only, and publishes; the officer computes a
 * cycle with its progress, recomputes it after an enrolment and sees who entered by state, the
 * supervisor approves it and the officer publishes it; a cycle that needs two approvers no
 * longer offers the approval to the one who gave it. Phone width and desktop, axe-clean.
 */
let run: ConsoleRun;
type Operator = { username: string; password: string; totp: (stepOffset?: number) => string };
let officer: Operator;
let supervisor: Operator;

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  for (const [index, sex] of (['F', 'M', 'F'] as const).entries()) {
    await buildPerson(context, {
      region: 'VE-A',
      attributes: {
        given_names: `Persona ${index}`,
        first_surname: 'Programa',
        sex,
        birth_date: '1950-01-02',
        state_code: 'VE-A',
      },
    });
  }
  officer = await buildOperator(context, {
    username: 'officer.programs',
    // Also an approver of cycles: the cycle they create must still go to someone else.
    roles: ['program_officer', 'program_supervisor'],
    regions: ['VE-A'],
  });
  supervisor = await buildOperator(context, {
    username: 'supervisor.programs',
    roles: ['program_supervisor'],
    regions: ['VE-A'],
  });
  const db = run.server.database.db;
  await publishedProgram(db, {
    code: 'pension_public',
    content: {
      nameEs: 'Pensión de vejez',
      nameEn: 'Old-age pension',
      descriptionEs: 'Para mujeres desde los 55 años y hombres desde los 60.',
      descriptionEn: 'For women from 55 and men from 60.',
      kind: 'cash',
      unit: 'person',
      regions: [],
      cadence: 'monthly',
      benefit: { amountMinor: 130_000_00n, currency: 'VES' },
      budgetCap: 1_000_000_000_00n,
      // The demo pension's rule: one `||` clause, said in words, never as CEL.
      eligibilityRule: '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
    },
  });
}, 120_000);

afterAll(async () => run?.close());

async function clean(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await overflowsHorizontally(page)).toBe(false);
}

describe('programs in the console', () => {
  it('shows every published program and its rule in plain words without signing in', async () => {
    const page = await run.newPage('phone');
    await page.goto(`${run.server.baseUrl}/programs`);
    const programs = page.getByTestId('public-programs');
    await programs.getByRole('heading', { name: 'Pensión de vejez' }).waitFor();
    await programs
      .getByText(
        'o bien el sexo es femenino y la edad es al menos 55, o bien el sexo es masculino y la edad es al menos 60',
      )
      .waitFor();
    expect(await programs.textContent()).toContain('Todo el país');
    const clauses = programs.locator('[data-code="pension_public"] [data-testid="rule-clauses"]');
    expect(await clauses.textContent()).not.toMatch(/&&|\|\||>=/);
    await clean(page);
    await page.setViewportSize(viewports.desktop);
    await page.getByLabel('Idioma').selectOption('en');
    await programs
      .getByText(
        'either sex is female and age is at least 55, or sex is male and age is at least 60',
      )
      .waitFor();
    await programs.getByText('Monthly').waitFor();
    await clean(page);
    await page.context().close();
  }, 30_000);

  it('writes a program with the rule checked as typed, published by a second person, and runs a cycle', async () => {
    const page = await signedInPage(run, officer);
    await page.goto(`${run.server.baseUrl}/programs/manage`);
    await page.getByRole('button', { name: 'Crear un programa' }).click();
    await page.getByLabel('Código del programa').fill('caja_e2e');
    await page.getByLabel('Nombre en español').fill('Caja de prueba');
    await page.getByLabel('Nombre en inglés').fill('Test box');
    await page.getByLabel('Se entrega').selectOption('person');
    await page.getByLabel('Distrito Capital').check();
    await page.getByLabel('Lo que sobre pasa al ciclo siguiente').check();
    const rule = page.getByLabel('Regla de elegibilidad');
    await rule.fill('age >= 18 && sex == 1');
    const problem = page.getByTestId('rule-problem');
    await problem.getByText(/Error de tipos/).waitFor();
    expect(await problem.locator('mark').textContent()).toBe('sex == 1');
    expect(await problem.textContent()).toContain('caracteres 14 a 21');
    // A rule that names one person is refused where the name is.
    await rule.fill('age >= 18 && given_names == "Ana"');
    await problem.getByText(/puede señalar a una sola persona/).waitFor();
    expect(await problem.locator('mark').textContent()).toBe('given_names');
    expect(await page.getByRole('button', { name: 'Guardar como borrador' }).isDisabled()).toBe(
      true,
    );
    await clean(page);
    await rule.fill('age >= 18 && sex == "F"');
    const explained = page.getByTestId('rule-explanation');
    await explained.getByText('la edad es al menos 18').waitFor();
    await explained.getByText('el sexo es femenino').waitFor();
    await page.getByRole('button', { name: 'Guardar como borrador' }).click();
    await page.getByRole('heading', { name: 'Caja de prueba', level: 1 }).waitFor();
    await page.getByText('1 box de food_box (lo que sobre pasa al ciclo siguiente)').waitFor();
    const stored = await run.server.database.db
      .selectFrom('program_version as v')
      .innerJoin('program as p', 'p.id', 'v.program_id')
      .select('v.benefit_basket')
      .where('p.code', '=', 'caja_e2e')
      .executeTakeFirstOrThrow();
    expect(stored.benefit_basket).toEqual([
      { item: 'food_box', quantity: 1, unit: 'box', carryOver: true },
    ]);
    const programUrl = page.url();
    await page.getByRole('button', { name: 'Pedir la publicación' }).click();
    await page
      .getByTestId('publications')
      .getByText('espera la decisión de otra persona')
      .waitFor();
    await clean(page);

    // A supervisor, at phone width, sees who would enter as counts only and publishes.
    const decider = await signedInPage(run, supervisor, { viewport: 'phone' });
    await decider.goto(programUrl);
    const preview = decider.getByTestId('rule-preview');
    await preview.getByText('Distrito Capital').waitFor();
    expect(await preview.locator('tbody td').first().textContent()).toBe('menos de 10');
    await clean(decider);
    await screenshot(decider, 'programs-publication-phone');
    await decider.getByRole('button', { name: 'Aprobar y publicar' }).click();
    await decider.getByTestId('publications').getByText('publicada').waitFor();

    // The officer opens a cycle; its progress is polled until it is computed.
    await page.reload();
    await page.getByRole('button', { name: 'Crear y calcular el ciclo' }).click();
    const status = page.getByTestId('cycle-status');
    await status.getByText('calculado, espera aprobación').waitFor();
    const progress = page.locator('progress');
    expect(await progress.getAttribute('value')).toBe(await progress.getAttribute('max'));
    const summary = page.getByTestId('cycle-summary');
    await summary.getByText('Distrito Capital').waitFor();
    expect(await summary.locator('tfoot td').first().textContent()).toBe('2');
    await page.getByTestId('approvals').getByText('0 de 1 aprobaciones').waitFor();
    // Two persons: the officer holds the approving role too, but created this cycle.
    await page.getByTestId('approval-by-another').waitFor();
    expect(await page.getByRole('button', { name: 'Aprobar el ciclo' }).count()).toBe(0);
    await clean(page);
    const cycleUrl = page.url();

    // A woman enrolled since: the frozen set does not change until the officer recomputes,
    // and the page then shows who entered and left, by state.
    await buildPerson(
      { database: run.server.database, masterKey: run.server.keys.masterKey },
      {
        region: 'VE-A',
        attributes: {
          given_names: 'Persona nueva',
          first_surname: 'Programa',
          sex: 'F',
          birth_date: '1980-01-02',
          state_code: 'VE-A',
        },
      },
    );
    await page.reload();
    expect(await summary.locator('tfoot td').first().textContent()).toBe('2');
    await page.getByRole('button', { name: 'Volver a calcular' }).click();
    const diff = page.getByTestId('cycle-diff').filter({ hasText: 'Distrito Capital' });
    await diff.waitFor();
    expect(await diff.locator('tbody td').allTextContents()).toEqual(['1', '0']);
    expect(await summary.locator('tfoot td').first().textContent()).toBe('3');
    await clean(page);

    await decider.goto(cycleUrl);
    await decider.getByRole('button', { name: 'Aprobar el ciclo' }).click();
    await decider.getByTestId('cycle-status').getByText('aprobado').waitFor();
    // The approval answers once recorded; the page follows the entitlements written after it.
    const grant = decider.getByTestId('cycle-grant');
    await grant.getByText('Todos los derechos del ciclo están otorgados.').waitFor();
    await grant.getByText('Derechos otorgados: 1 de 1 partes').waitFor();
    await clean(decider);

    await page.reload();
    await page.getByRole('button', { name: 'Publicar el ciclo' }).click();
    await status.getByText('publicado').waitFor();
    await screenshot(page, 'programs-cycle-desktop');
    await page.setViewportSize(viewports.phone);
    await clean(page);
    const entitlements = await run.server.database.db
      .selectFrom('entitlement')
      .select('basis')
      .execute();
    expect(entitlements).toEqual([{ basis: 'rule' }, { basis: 'rule' }, { basis: 'rule' }]);
    expect(run.pageErrors).toEqual([]);
  }, 150_000);

  it('hides the approval from an approver who approved already, while a second is needed', async () => {
    // Over the second-approver threshold: 60,000,000.00 a woman, three women.
    const db = run.server.database.db;
    const { programId } = await publishedProgram(db, {
      code: 'bono_dos_firmas',
      content: {
        nameEs: 'Bono de dos firmas',
        nameEn: 'Two-signature bonus',
        descriptionEs: '',
        descriptionEn: '',
        kind: 'cash',
        unit: 'person',
        // Within both approvers' region (a national program is beyond a regional approver).
        regions: ['VE-A'],
        cadence: 'once',
        benefit: { amountMinor: 60_000_000_00n, currency: 'VES' },
        budgetCap: 1_000_000_000_00n,
        eligibilityRule: 'sex == "F"',
      },
    });
    const { cycleId } = await cycleCreator(db, {
      programId,
      referenceDate: '2026-12-01',
      operatorId: null,
    });
    const page = await signedInPage(run, supervisor, { viewport: 'phone' });
    await page.goto(`${run.server.baseUrl}/programs/cycles/${cycleId}`);
    const approvals = page.getByTestId('approvals');
    await approvals.getByText('0 de 2 aprobaciones').waitFor();
    await page.getByRole('button', { name: 'Aprobar el ciclo' }).click();
    await approvals.getByText('1 de 2 aprobaciones').waitFor();
    // Still computed, waiting for a second person: this approver is no longer offered it.
    await page.getByTestId('cycle-status').getByText('calculado, espera aprobación').waitFor();
    await page.getByTestId('approval-by-another').waitFor();
    expect(await page.getByRole('button', { name: 'Aprobar el ciclo' }).count()).toBe(0);
    await page.reload();
    await approvals.getByText('1 de 2 aprobaciones').waitFor();
    await page.getByTestId('approval-by-another').waitFor();
    expect(await page.getByRole('button', { name: 'Aprobar el ciclo' }).count()).toBe(0);
    await clean(page);

    // A different approver is offered it, and theirs completes the two.
    const second = await signedInPage(run, officer);
    await second.goto(`${run.server.baseUrl}/programs/cycles/${cycleId}`);
    await second.getByRole('button', { name: 'Aprobar el ciclo' }).click();
    await second.getByTestId('cycle-status').getByText('aprobado').waitFor();
    expect(run.pageErrors).toEqual([]);
  }, 60_000);
});
