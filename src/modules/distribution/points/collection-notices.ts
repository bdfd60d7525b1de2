import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { localDate, type PersonNotifier } from '../../notifications/index.js';
import { cycleHolders } from '../../programs/index.js';

/** Where an active person lives: the registry's `personAreas`, wired in `src/app.ts`. */
export interface PersonAreas {
  areasIn(
    trx: Kysely<Database>,
    personIds: readonly string[],
  ): Promise<Map<string, { regionCode: string; municipalityCode: string | null }>>;
}

interface OpenPoint {
  name: string;
  regionCode: string;
  municipalityCode: string | null;
}

/**
 * The programs module's `onCyclePublished` hook (issue 14, point 6, "entitlement published"):
 * in the publication's transaction, each holder of an in-kind entitlement of the cycle is told
 * that something is to collect and where — the first open point (by code) that serves the
 * program in their municipality, else in their state, else "ask at the office where you
 * registered". The text names the program only when the cycle's version opted into it
 * (`nameInTexts`, issue 14 point 4), and never the benefit. Cash and vouchers are told when
 * paid ("payment received").
 * Holders are read and texted in pages of `limits.notifications.noticeBatchMax`.
 *
 * @example
 *   await app.register(programsPlugin, { prefix: '/api', db, audit,
 *     onCyclePublished: collectionNotices({ notifier, areas: personAreas() }) });
 */
export function collectionNotices(deps: {
  notifier: PersonNotifier;
  areas: PersonAreas;
  now?: () => Date;
  /** Holders read and texted per page; `limits.notifications.noticeBatchMax` by default. */
  pageSizeMax?: number;
}): (trx: Kysely<Database>, cycle: { id: string; programId: string }) => Promise<void> {
  return async (trx, cycle) => {
    const points = await openPointsServing(trx, cycle.programId);
    const from = localDate(deps.now?.() ?? new Date());
    const limit = deps.pageSizeMax ?? limits.notifications.noticeBatchMax;
    let afterPersonId: string | undefined;
    for (;;) {
      const page = await cycleHolders(trx, { cycleId: cycle.id, afterPersonId, limit });
      if (page.personIds.length === 0 || !page.inKind) return;
      const areas = await deps.areas.areasIn(trx, page.personIds);
      const byPlace = new Map<string | undefined, string[]>();
      for (const personId of page.personIds) {
        const area = areas.get(personId);
        if (area === undefined) continue;
        const place = nearestPoint(points, area);
        byPlace.set(place, [...(byPlace.get(place) ?? []), personId]);
      }
      for (const [place, personIds] of byPlace) {
        await deps.notifier.notifyAll(trx, personIds, {
          event: 'entitlement_published',
          from,
          ...(place === undefined ? {} : { place }),
          ...(page.namedProgram === undefined ? {} : { namedProgram: page.namedProgram }),
        });
      }
      if (page.personIds.length < limit) return;
      afterPersonId = page.personIds.at(-1);
    }
  };
}

async function openPointsServing(trx: Kysely<Database>, programId: string): Promise<OpenPoint[]> {
  const rows = await trx
    .selectFrom('distribution_point as p')
    .innerJoin('distribution_point_program as a', 'a.point_id', 'p.id')
    .select(['p.name', 'p.region_code', 'p.municipality_code'])
    .where('a.program_id', '=', programId)
    .where('a.active', '=', true)
    .where('p.status', '=', 'open')
    .orderBy('p.code')
    .execute();
  return rows.map((row) => ({
    name: row.name,
    regionCode: row.region_code,
    municipalityCode: row.municipality_code,
  }));
}

function nearestPoint(
  points: readonly OpenPoint[],
  area: { regionCode: string; municipalityCode: string | null },
): string | undefined {
  const point =
    points.find(
      (each) => area.municipalityCode !== null && each.municipalityCode === area.municipalityCode,
    ) ?? points.find((each) => each.regionCode === area.regionCode);
  return point === undefined ? undefined : placeText(point.name);
}

/**
 * A point's name as a text's `place`: at most 40 letters, digits and `.,'()-` (a name may hold
 * other signs and run to 120), cut at a whole word. Undefined when nothing is left: the office text then.
 */
export function placeText(name: string): string | undefined {
  const clean = name
    .replace(/[^\p{L}\p{N} .,'()-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // A long name is cut at the last whole word that fits (a word longer than 40 is cut).
  const cut = clean.length <= 40 ? clean : clean.slice(0, 41).replace(/\s+\S*$/, '');
  const kept = cut.slice(0, 40).trim();
  return kept.length === 0 ? undefined : kept;
}
