import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import { unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { openVersion } from './sealed-attributes.js';

/** One change of the phone on file: when its version was recorded, and by which operator. */
export interface PhoneChange {
  changedAt: Date;
  /** The operator who recorded the version; null for a system job (an import). */
  changedBy: string | null;
}

/** A phone the person had on file within the window and has no longer, with its language. */
export interface FormerPhone {
  phone: string;
  language: string | null;
}

/** What the versions within a window say of the phone on file. */
export interface PhoneHistory {
  /** The latest change within the window; undefined when the phone did not change in it. */
  latest: PhoneChange | undefined;
  /**
   * The phones on file at some moment of the window (its start included) that are not on file
   * now, oldest first, at most `limits.registry.formerPhonesMax`: the phone on file before the
   * window always comes first, so a second change within the window cannot hide it.
   */
  former: FormerPhone[];
}

const nothing: PhoneHistory = { latest: undefined, former: [] };

/**
 * The phone changes of a person's record within the last `windowMs`, read from the versions
 * (each holds the whole record; the phone is sealed in each): the versions recorded within the
 * window (the latest `phoneHistoryVersionsMax` of them) and the one on file at its start, each
 * opened with the person's data key and compared with the one before. Enrolment is not a change
 * (there was no phone before it). The window is measured on the database's clock, the one that
 * stamps the versions. Nothing of the record leaves here but the former phones, which only
 * `textContacts` hands out (audited as contact reads); an erased record has no history.
 *
 * @example
 *   const { latest } = await phoneHistoryWithin(trx, masterKey, personId, 7 * 86_400_000);
 *   latest; // { changedAt, changedBy: clerkId } when the phone changed in the last 7 days
 */
export async function phoneHistoryWithin(
  db: Kysely<Database>,
  masterKey: Buffer,
  personId: string,
  windowMs: number,
): Promise<PhoneHistory> {
  const since = sql<Date>`now() - (${Math.max(0, Math.round(windowMs))} * interval '1 millisecond')`;
  const versions = () =>
    db
      .selectFrom('person_version')
      .select(['version', 'attributes', 'sealed_attributes', 'recorded_by', 'recorded_at'])
      .where('person_id', '=', personId)
      .orderBy('version', 'desc');
  const recent = await versions()
    .where('recorded_at', '>', since)
    .limit(limits.registry.phoneHistoryVersionsMax)
    .execute();
  if (recent.length === 0) return nothing;
  const key = await db
    .selectFrom('person_key')
    .select('wrapped_key')
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (key?.wrapped_key == null) return nothing;
  const start = await versions().where('recorded_at', '<=', since).limit(1).executeTakeFirst();
  const dataKey = unwrapDataKey(masterKey, key.wrapped_key, personId);
  const steps = [...(start === undefined ? [] : [start]), ...recent.reverse()].map((row) => ({
    phone: phoneIn(openVersion(dataKey, personId, row.version, row.sealed_attributes)),
    language: languageIn(row.attributes),
    changedAt: row.recorded_at,
    changedBy: row.recorded_by,
  }));
  return { latest: latestChange(steps), former: formerPhones(steps) };
}

interface Step extends PhoneChange {
  phone: string | null;
  language: string | null;
}

function latestChange(versions: readonly Step[]): PhoneChange | undefined {
  let latest: PhoneChange | undefined;
  for (let index = 1; index < versions.length; index += 1) {
    const step = versions[index] as Step;
    if (step.phone !== (versions[index - 1] as Step).phone) {
      latest = { changedAt: step.changedAt, changedBy: step.changedBy };
    }
  }
  return latest;
}

function formerPhones(versions: readonly Step[]): FormerPhone[] {
  const current = versions.at(-1)?.phone ?? null;
  const former: FormerPhone[] = [];
  for (const step of versions) {
    if (step.phone === null || step.phone === current) continue;
    if (former.some((each) => each.phone === step.phone)) continue;
    former.push({ phone: step.phone, language: step.language });
    if (former.length === limits.registry.formerPhonesMax) break;
  }
  return former;
}

function phoneIn(sealed: Record<string, unknown>): string | null {
  return typeof sealed.phone === 'string' && sealed.phone.length > 0 ? sealed.phone : null;
}

function languageIn(attributes: Record<string, unknown>): string | null {
  const language = attributes.preferred_language;
  return typeof language === 'string' ? language : null;
}

/**
 * The latest change of the phone on file within the last `windowMs`, or undefined: when and by
 * whom, never the phone (a module above the registry decides what a recent change means).
 *
 * @example
 *   const changed = await latestPhoneChangeWithin(trx, masterKey, personId, 7 * 86_400_000);
 */
export async function latestPhoneChangeWithin(
  db: Kysely<Database>,
  masterKey: Buffer,
  personId: string,
  windowMs: number,
): Promise<PhoneChange | undefined> {
  return (await phoneHistoryWithin(db, masterKey, personId, windowMs)).latest;
}
