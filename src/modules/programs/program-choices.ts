import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { programLimits } from './limits.js';

/** A program as a form offers it to choose: its id, code, names and currency. */
export interface ProgramChoice {
  programId: string;
  code: string;
  name: { es: string; en: string };
  /** The published version's currency; null for benefits that are not money. */
  currency: 'VES' | 'USD' | null;
}

/**
 * The published (and suspended) programs, by code, as a form lists them to choose from by name
 * (a merchant's subsidising programs, issue #16): no rule, no figures.
 *
 * @example
 *   const choices = await programChoices(db);
 */
export async function programChoices(db: Kysely<Database>): Promise<ProgramChoice[]> {
  const rows = await db
    .selectFrom('program as p')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'p.id').onRef('v.version', '=', 'p.published_version'),
    )
    .select(['p.id', 'p.code', 'v.name_es', 'v.name_en', 'v.currency'])
    .where('p.status', 'in', ['published', 'suspended'])
    .orderBy('p.code')
    .limit(programLimits.listPageSizeMax)
    .execute();
  return rows.map((row) => ({
    programId: row.id,
    code: row.code,
    name: { es: row.name_es, en: row.name_en },
    currency: row.currency,
  }));
}
