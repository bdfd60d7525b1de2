import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { overflowsHorizontally, screenshot, seriousAxeViolations, viewports } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * The batch duplicate clusters on the review page, in Debian's Chromium against the real
 * server: the demo supervisor sees a cluster of three records (found by `amparo dedup run`,
 * stored as ids only), keeps the second, merges the others into it, and marks a second
 * cluster as different people. The database then holds exactly those merges and reviews.
 */

let run: ConsoleRun;
let page: Page;
const runId = randomUUID();
let trio: string[] = [];
let pair: string[] = [];

beforeAll(async () => {
  run = await openConsoleRun();
  const { db } = run.server.database;
  const masterKey = run.server.keys.masterKey;
  trio = [];
  for (let index = 0; index < 3; index += 1) trio.push((await createCardPerson(db, masterKey)).id);
  pair = [(await createCardPerson(db, masterKey)).id, (await createCardPerson(db, masterKey)).id];
  await run.server.database.asAdmin(async (admin) => {
    await sql`insert into dedup_run (id, status, finished_at, persons, clusters)
      values (${runId}, 'finished', now(), 5, 2)`.execute(admin);
    await sql`insert into dedup_cluster (run_id, cluster_id, person_ids, max_score)
      values (${runId}, 1, ${trio}::uuid[], 42.5), (${runId}, 2, ${pair}::uuid[], 18)`.execute(
      admin,
    );
  });
}, 90_000);

afterAll(async () => run?.close());

describe('batch duplicate clusters in the console', () => {
  it('shows each cluster side by side; merging keeps the chosen record', async () => {
    page = await run.signedIn('supervisor');
    await page.goto(`${run.server.baseUrl}/reviews`);
    const first = page.getByRole('article').filter({ hasText: '3 registros' });
    await first.getByTestId('cluster').waitFor();
    await first.getByText('María José').first().waitFor();
    expect(await first.getByRole('columnheader', { name: /Registro \d/ }).count()).toBe(3);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'cluster-review');
    await page.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(page)).toBe(false);
    // On a phone each record is a card, not a table column that scrolls sideways.
    await first.getByTestId('cluster-narrow').waitFor();
    expect(await first.getByTestId('cluster').isVisible()).toBe(false);
    expect(await first.getByRole('region', { name: /Registro \d/ }).count()).toBe(3);
    // A string expression: the tests are type-checked without the DOM library.
    const scrolls = await page.evaluate(
      "[...document.querySelectorAll('[data-testid=cluster-narrow]')].some((cards) => cards.scrollWidth > cards.clientWidth + 1)",
    );
    expect(scrolls).toBe(false);
    await page.setViewportSize(viewports.desktop);

    await first.getByRole('radio', { name: /Registro 2/ }).check();
    await first.getByRole('button', { name: /unir los demás/ }).click();
    await first.waitFor({ state: 'detached' });

    const statuses = await run.server.database.db
      .selectFrom('person')
      .select(['id', 'status', 'merged_into'])
      .where('id', 'in', trio)
      .execute();
    const byId = new Map(statuses.map((row) => [row.id, row]));
    expect(byId.get(trio[1] ?? '')).toMatchObject({ status: 'active', merged_into: null });
    for (const merged of [trio[0], trio[2]])
      expect(byId.get(merged ?? '')).toMatchObject({ status: 'merged', merged_into: trio[1] });
  });

  it('marks the other cluster as different people, and every look was audited', async () => {
    const second = page.getByRole('article').filter({ hasText: '2 registros' });
    await second.getByRole('button', { name: 'Son personas distintas' }).click();
    await page.getByText('No hay grupos pendientes.').waitFor();
    const reviews = await run.server.database.db
      .selectFrom('dedup_cluster')
      .select(['cluster_id', 'status'])
      .where('run_id', '=', runId)
      .orderBy('cluster_id')
      .execute();
    expect(reviews).toEqual([
      { cluster_id: 1, status: 'reviewed' },
      { cluster_id: 2, status: 'reviewed' },
    ]);
    const statuses = await run.server.database.db
      .selectFrom('person')
      .select('status')
      .where('id', 'in', pair)
      .execute();
    expect(statuses.map((row) => row.status)).toEqual(['active', 'active']);
    const reads = await run.server.database.asAdmin((admin) =>
      sql<{ person_id: string }>`select distinct person_id from audit_entry
        where action = 'person.read' and entry::json->>'outcome' = 'allowed'
          and entry::json->>'purpose' = 'enrolment' and person_id = any (${[...trio, ...pair]}::uuid[])`.execute(
        admin,
      ),
    );
    expect(reads.rows.map((row) => row.person_id).sort()).toEqual([...trio, ...pair].sort());
    expect(run.pageErrors).toEqual([]);
  });
});
