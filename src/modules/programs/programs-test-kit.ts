import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { newDataKey, wrapDataKey } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import { sealVersion } from '../registry/persons/sealed-attributes.js';
import { cycleApprover, cycleCreator, cyclePublisher } from './cycles/cycle-service.js';
import { entitlementGranter } from './cycles/entitlement-granter.js';
import type { ProgramContent } from './program-content.js';
import { programCreator, publicationDecider, publicationRequester } from './program-service.js';
import { ProgramsError } from './programs-error.js';

/**
 * A small random population written straight into the registry's tables (as the superuser,
 * the way a fixture would), for tests that compare the batch and per-person evaluators.
 * Attributes are left out at random, so NULL and missing facts are exercised.
 *
 * @example
 *   await database.asAdmin((admin) => insertRandomPopulation(admin, { persons: 80, seed: 7 }));
 */
export interface RandomPopulationOptions {
  persons: number;
  seed: number;
  /**
   * Also give persons a data key (wrapped by this master key) and sealed attributes, drawn
   * from a generator of their own so the clear population is the same with or without: a
   * disability status, none sealed, or a key destroyed by an erasure.
   */
  masterKey?: Buffer;
}

/** mulberry32: a tiny seeded generator, so a failing population can be rebuilt. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An old-age pension for women from 55 (130,000.00 VES, monthly, national): the program the
 * appeal and lifecycle tests run their cycles of.
 */
export const womenPension: ProgramContent = {
  nameEs: 'Pensión de vejez',
  nameEn: 'Old-age pension',
  descriptionEs: '',
  descriptionEn: '',
  kind: 'cash',
  unit: 'person',
  regions: [],
  cadence: 'monthly',
  benefit: { amountMinor: 130_000_00n, currency: 'VES' },
  budgetCap: 1_000_000_000_00n,
  eligibilityRule: 'sex == "F" && age >= 55',
};

export const populationStates = ['VE-A', 'VE-V', 'VE-Z'] as const;
const civilStatuses = ['single', 'married', 'cohabiting', 'widowed'];
const relationships = ['spouse', 'child', 'parent', 'grandchild', 'other_relative'];

function birthDate(random: () => number): string | undefined {
  const roll = random();
  const year = 1925 + Math.floor(random() * 100);
  if (roll < 0.1) return undefined;
  if (roll < 0.2) return String(year);
  const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
  const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

function attributes(random: () => number, state: string): Record<string, unknown> {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const maybe = (value: unknown): unknown => (random() < 0.15 ? undefined : value);
  const born = birthDate(random);
  const values: Record<string, unknown> = {
    given_names: pick(['Ana', 'José', 'María', 'Luis', 'Zoë']),
    first_surname: pick(['Pérez', 'García', 'Rojas']),
    sex: maybe(pick(['F', 'M'])),
    birth_date: born,
    birth_date_approximate: born !== undefined && born.length === 4 ? true : maybe(false),
    state_code: state,
    municipality_code: maybe(`${state}-0${1 + Math.floor(random() * 3)}`),
    civil_status: maybe(pick(civilStatuses)),
    nationality: maybe(pick(['VE', 'CO'])),
  };
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

export async function insertRandomPopulation(
  admin: Kysely<Database>,
  options: RandomPopulationOptions,
): Promise<void> {
  const random = seededRandom(options.seed);
  const sealedRandom = options.masterKey === undefined ? undefined : seededRandom(options.seed + 1);
  let uin = 2_000_000_000 + options.seed * 10_000;
  let householdId: string | undefined;
  let membersLeft = 0;
  for (let index = 0; index < options.persons; index += 1) {
    const personId = randomUUID();
    const state = populationStates[Math.floor(random() * populationStates.length)] ?? 'VE-A';
    const status = random() < 0.05 ? 'deceased' : 'active';
    uin += 1;
    await sql`insert into person (id, uin, status, region_code)
      values (${personId}, ${String(uin)}, ${status}, ${state})`.execute(admin);
    const box =
      sealedRandom !== undefined && options.masterKey !== undefined
        ? await insertKey(admin, options.masterKey, personId, sealedRandom)
        : null;
    await sql`insert into person_version (person_id, version, attributes, sealed_attributes, reason)
      values (${personId}, 1, ${JSON.stringify(attributes(random, state))}::jsonb, ${box}, 'demo')`.execute(
      admin,
    );
    if (membersLeft === 0 && random() < 0.2) continue;
    let relationship = relationships[Math.floor(random() * relationships.length)] ?? 'child';
    if (membersLeft === 0 || householdId === undefined) {
      householdId = randomUUID();
      membersLeft = 1 + Math.floor(random() * 5);
      relationship = 'head';
      await sql`insert into household (id, region_code) values (${householdId}, ${state})`.execute(
        admin,
      );
      if (random() < 0.85) {
        const band = 1 + Math.floor(random() * 5);
        await sql`insert into household_version (household_id, version, attributes, reason)
          values (${householdId}, 1, ${JSON.stringify({ income_band: band })}::jsonb, 'demo')`.execute(
          admin,
        );
      }
    }
    membersLeft -= 1;
    await sql`insert into household_membership (household_id, person_id, relationship)
      values (${householdId}, ${personId}, ${relationship})`.execute(admin);
  }
}

const disabilities = ['none', 'physical', 'visual', 'hearing', 'intellectual', 'psychosocial'];

/**
 * A person's data key, and their sealed version-1 attributes to store: a disability status
 * (70 %), a phone only (10 %: the fact is missing), none (10 %), or a key already destroyed by
 * an erasure (10 %: the ciphertext stays, unreadable).
 */
async function insertKey(
  admin: Kysely<Database>,
  masterKey: Buffer,
  personId: string,
  random: () => number,
): Promise<Buffer | null> {
  const roll = random();
  const disability = disabilities[Math.floor(random() * disabilities.length)] ?? 'none';
  const dataKey = newDataKey();
  const sealed =
    roll < 0.7
      ? { disability_status: disability, phone: '+584121234567' }
      : roll < 0.8 || roll >= 0.9
        ? { phone: '+584121234567' }
        : undefined;
  const shredded = roll >= 0.9;
  await sql`insert into person_key (person_id, wrapped_key, shredded_at)
    values (${personId}, ${shredded ? null : wrapDataKey(masterKey, dataKey, personId)},
            ${shredded ? new Date() : null})`.execute(admin);
  return sealed === undefined ? null : sealVersion(dataKey, personId, 1, sealed);
}

/** The coded refusal a call ends in; fails the test when it succeeds or throws anything else. */
export async function refusal(work: Promise<unknown>): Promise<AmparoError | ProgramsError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof AmparoError || error instanceof ProgramsError) return error;
  throw new Error(`expected a coded refusal, got ${error}`);
}

/**
 * A program published the way any program is: created and asked for by one officer, approved
 * by a second (two made-up operator ids). Returns its id; the version is 1.
 *
 * @example
 *   const { programId } = await publishedProgram(db, { code: 'food_e2e', content });
 */
export async function publishedProgram(
  db: Kysely<Database>,
  props: { code: string; content: ProgramContent },
): Promise<{ programId: string }> {
  const officer = randomUUID();
  const { programId } = await programCreator(db, { ...props, operatorId: officer });
  const { publicationId } = await publicationRequester(db, {
    programId,
    version: 1,
    operatorId: officer,
  });
  await publicationDecider(db, { publicationId, approve: true, operatorId: randomUUID() });
  return { programId };
}

/**
 * A cycle of a published program at `referenceDate`, computed by its rule and approved by one
 * made-up approver (enough below the second-approver threshold): its entitlements are open.
 */
export async function approvedCycle(
  db: Kysely<Database>,
  programId: string,
  referenceDate = '2026-12-01',
): Promise<{ cycleId: string }> {
  const { cycleId } = await cycleCreator(db, { programId, referenceDate, operatorId: null });
  const { granting } = await cycleApprover(db, { cycleId, operatorId: randomUUID() });
  await granting;
  return { cycleId };
}

/**
 * `approvedCycle`, then published (its holders not told): distribution hands its entitlements
 * over only from publication on (before it they are pre-activated, docs/DISTRIBUTION.md).
 */
export async function publishedCycle(
  db: Kysely<Database>,
  programId: string,
  referenceDate = '2026-12-01',
): Promise<{ cycleId: string }> {
  const { cycleId } = await approvedCycle(db, programId, referenceDate);
  await cyclePublisher(db, { cycleId, operatorId: randomUUID() });
  return { cycleId };
}

/**
 * A grant stopped as a crash stops it: `entitlementGranter` runs until `chunksDone` chunks are
 * committed, then its process is gone (thrown from the progress callback, after the commit).
 * Answers what stopped it, so a test can check it was this and not a real failure.
 */
export async function crashedGrant(
  db: Kysely<Database>,
  cycleId: string,
  chunksDone: number,
): Promise<string> {
  return entitlementGranter(db, {
    cycleId,
    onProgress: (progress) => {
      if (progress.chunksDone === chunksDone) throw new Error('killed');
    },
  }).then(
    () => 'finished',
    (error: unknown) => String(error),
  );
}
