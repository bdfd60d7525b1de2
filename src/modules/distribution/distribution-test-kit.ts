import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { createCardPerson } from '../credentials/credentials-test-kit.js';
import {
  approvedCycle as approvedProgramCycle,
  publishedCycle,
  publishedProgram,
} from '../programs/programs-test-kit.js';

/** What the program helpers need: a test app, or the browser tests' server. */
type WithDatabase = { database: { db: Kysely<Database> } };

/** A signed-in operator: their id and the session cookie to send. */
export interface SignedIn {
  operatorId: string;
  cookies: { amparo_session: string };
}

export async function signIn(
  kit: AccessTestApp,
  roles: Role[],
  regions: string[] = ['VE-A'],
): Promise<SignedIn> {
  const username = `dist.${randomUUID().slice(0, 8)}`;
  const operator = await createTestOperator(kit, { username, roles, regions });
  kit.advance(30_000);
  const response = await kit.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username, password: operator.password, totp: operator.totp() },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return {
    operatorId: operator.id,
    cookies: { amparo_session: sessionCookieFrom(response) ?? '' },
  };
}

/**
 * A distribution supervisor of `regions`: the one role that adjusts stock, clears conflicts and
 * disputes, manages devices and signs off reconciliations (a program officer no longer does).
 *
 * @example
 *   const supervisor = await signInSupervisor(kit);
 */
export async function signInSupervisor(
  kit: AccessTestApp,
  regions: string[] = ['VE-A'],
): Promise<SignedIn> {
  return signIn(kit, ['distribution_supervisor'], regions);
}

/** Registers an open point in `regionCode` as the supervisor; returns its id. */
export async function createPoint(
  kit: AccessTestApp,
  supervisor: SignedIn,
  options: {
    regionCode?: string;
    municipalityCode?: string;
    kind?: string;
    operators?: string[];
    programs?: string[];
  } = {},
): Promise<string> {
  const created = await kit.app.inject({
    method: 'POST',
    url: '/api/distribution/points?purpose=distribution',
    cookies: supervisor.cookies,
    payload: {
      code: `p-${randomUUID().slice(0, 8)}`,
      name: 'Kiosco de prueba',
      kind: options.kind ?? 'kiosk',
      regionCode: options.regionCode ?? 'VE-A',
      ...(options.municipalityCode === undefined
        ? {}
        : { municipalityCode: options.municipalityCode }),
    },
  });
  if (created.statusCode !== 201) throw new Error(`point: ${created.body}`);
  const { pointId } = created.json() as { pointId: string };
  if (options.operators || options.programs) {
    const changed = await kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${pointId}/changes?purpose=distribution`,
      cookies: supervisor.cookies,
      payload: { addOperators: options.operators ?? [], addPrograms: options.programs ?? [] },
    });
    if (changed.statusCode !== 200) throw new Error(`point change: ${changed.body}`);
  }
  return pointId;
}

/**
 * A call to a point's routes, as the route tests make it: `url` below
 * `/api/distribution/points/`, the purpose `distribution`, the caller's session cookie.
 *
 * @example
 *   const call = pointCall(kit);
 *   await call('POST', `${pointId}/deliveries`, supervisor, { clientId, item, quantity });
 */
export function pointCall(kit: AccessTestApp) {
  return (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    kit.app.inject({
      method,
      url: `/api/distribution/points/${url}?purpose=distribution`,
      cookies: who.cookies,
      ...(payload ? { payload } : {}),
    });
}

/** What the point holds of the item, as its detail answers `who` (0 when it holds none). */
export async function onHandAt(
  kit: AccessTestApp,
  who: SignedIn,
  pointId: string,
  item: string,
): Promise<number> {
  const response = await pointCall(kit)('GET', pointId, who);
  if (response.statusCode !== 200) throw new Error(`point detail: ${response.body}`);
  const stock = (response.json() as { stock: { item: string; quantity: number }[] }).stock;
  return stock.find((line) => line.item === item)?.quantity ?? 0;
}

export async function auditedAs(
  kit: AccessTestApp,
  requestId: string,
): Promise<{ action: string; outcome: string; reasonCode: string | null }[]> {
  const rows = await kit.database.asAdmin((admin) =>
    sql<{ action: string; outcome: string; reason_code: string | null }>`
      select entry::json->>'action' as action, entry::json->>'outcome' as outcome,
             entry::json->>'reasonCode' as reason_code
        from audit_entry where entry::json->>'requestId' = ${requestId}`.execute(admin),
  );
  return rows.rows.map((row) => ({
    action: row.action,
    outcome: row.outcome,
    reasonCode: row.reason_code,
  }));
}

/**
 * A published in-kind program whose rule selects the persons of `regionCode`, and its first
 * cycle approved: every person of that state enrolled before holds one open entitlement.
 */
export async function inKindProgramWithCycle(
  kit: WithDatabase,
  options: {
    code: string;
    /** The program's names; `Programa <code>` / `Program <code>` if absent. */
    names?: { es: string; en: string };
    regionCode?: string;
    basket: { item: string; quantity: number; unit: string; carryOver?: boolean }[];
    referenceDate?: string;
    /** The program's states (a program officer of them may close its cycles); national if absent. */
    regions?: string[];
    /** The version opts into being named in texts (issue 14, point 4). */
    nameInTexts?: boolean;
    /** The eligibility rule; the persons of `regionCode` if absent. */
    rule?: string;
    /** Leave the cycle approved, not published: its entitlements are pre-activated. */
    unpublished?: boolean;
  },
): Promise<{ programId: string; cycleId: string }> {
  const { programId } = await publishedProgram(kit.database.db, {
    code: options.code,
    content: {
      nameEs: options.names?.es ?? `Programa ${options.code}`,
      nameEn: options.names?.en ?? `Program ${options.code}`,
      descriptionEs: '',
      descriptionEn: '',
      kind: 'in_kind',
      unit: 'person',
      regions: options.regions ?? [],
      cadence: 'monthly',
      benefit: { basket: options.basket },
      budgetCap: 1_000_000n,
      eligibilityRule: options.rule ?? `state_code == "${options.regionCode ?? 'VE-A'}"`,
      ...(options.nameInTexts === undefined ? {} : { nameInTexts: options.nameInTexts }),
    },
  });
  const { cycleId } = await approvedCycle(kit, programId, options.referenceDate ?? '2026-12-01', {
    unpublished: options.unpublished === true,
  });
  return { programId, cycleId };
}

/**
 * A new cycle of a published program, computed, approved and published (its holders not told):
 * its entitlements are open and handed over. `unpublished` leaves it approved: they are written
 * but pre-activated until it is published (docs/DISTRIBUTION.md, "Entitlement states").
 */
export async function approvedCycle(
  kit: WithDatabase,
  programId: string,
  referenceDate: string,
  options: { unpublished?: boolean } = {},
): Promise<{ cycleId: string }> {
  const { db } = kit.database;
  return options.unpublished === true
    ? approvedProgramCycle(db, programId, referenceDate)
    : publishedCycle(db, programId, referenceDate);
}

/** A person of `region` with an issued card; returns the person and the card's QR text. */
export async function personWithCard(
  kit: AccessTestApp,
  issuer: SignedIn,
  region = 'VE-A',
  options: { phone?: string; municipality?: string } = {},
): Promise<{ personId: string; uin: string; qrText: string; credentialId: string }> {
  const person = await createCardPerson(kit.database.db, kit.masterKey, { region, ...options });
  const issued = await kit.app.inject({
    method: 'POST',
    url: `/api/persons/${person.id}/credentials?purpose=enrolment`,
    cookies: issuer.cookies,
    payload: { clientId: randomUUID() },
  });
  if (issued.statusCode !== 201) throw new Error(`card: ${issued.body}`);
  const body = issued.json() as { qrText: string; credentialId: string };
  return {
    personId: person.id,
    uin: person.uin,
    qrText: body.qrText,
    credentialId: body.credentialId,
  };
}

/** A person with an issued card, as `personWithCard` answers. */
export type CardHolder = Awaited<ReturnType<typeof personWithCard>>;

/**
 * What the distribution route tests start from: a test app (rate limit lifted: a test makes many
 * calls), a program officer (the point's supervisor), a distribution operator and a registry
 * supervisor of VE-A (who issues cards), `people` persons of VE-A with cards, then an in-kind
 * program whose first cycle, approved, entitles each of them.
 *
 * @example
 *   const scene = await distributionScene({
 *     people: 2,
 *     program: { code: 'food', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
 *   });
 *   const pointId = await createPoint(scene.kit, scene.supervisor, { programs: [scene.programId] });
 */
export interface DistributionScene {
  kit: AccessTestApp;
  /** A distribution supervisor: the floor work (stock, devices, conflicts, sign-off). */
  supervisor: SignedIn;
  /** A program officer: program work (closing a cycle, a person's cards), none of the floor's. */
  officer: SignedIn;
  operator: SignedIn;
  issuer: SignedIn;
  people: CardHolder[];
  programId: string;
  cycleId: string;
}

/** Where a card holder of a scene lives: a state, and a municipality of it if it matters. */
export interface HolderPlace {
  region: string;
  municipality?: string;
}

export async function distributionScene(options: {
  /** How many card holders of VE-A, or where each lives (issued by a supervisor of its state). */
  people: number | readonly HolderPlace[];
  program: Parameters<typeof inKindProgramWithCycle>[1];
  app?: Parameters<typeof buildAccessTestApp>[0];
  /** A phone on file for each of the people (a texted code's second check). */
  phone?: string;
  /** Runs after the people are made and before the program's cycle entitles them. */
  beforeProgram?: (scene: Omit<DistributionScene, 'programId' | 'cycleId'>) => Promise<void>;
}): Promise<DistributionScene> {
  const kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000, ...options.app });
  const supervisor = await signInSupervisor(kit);
  const officer = await signIn(kit, ['program_officer'], ['VE-A']);
  const operator = await signIn(kit, ['distribution_operator'], ['VE-A']);
  const issuer = await signIn(kit, ['registry_supervisor'], ['VE-A']);
  const issuers = new Map([['VE-A', issuer]]);
  const places: readonly HolderPlace[] =
    typeof options.people === 'number'
      ? Array.from({ length: options.people }, () => ({ region: 'VE-A' }))
      : options.people;
  const people: CardHolder[] = [];
  for (const place of places) {
    const of =
      issuers.get(place.region) ?? (await signIn(kit, ['registry_supervisor'], [place.region]));
    issuers.set(place.region, of);
    people.push(
      await personWithCard(kit, of, place.region, {
        ...(options.phone ? { phone: options.phone } : {}),
        ...(place.municipality ? { municipality: place.municipality } : {}),
      }),
    );
  }
  const made = { kit, supervisor, officer, operator, issuer, people };
  await options.beforeProgram?.(made);
  const { programId, cycleId } = await inKindProgramWithCycle(kit, options.program);
  return { ...made, programId, cycleId };
}

/** A call to one point's routes: `url` below the point (`offlinePoint`'s `call`). */
export type PointCallAt = (
  method: 'GET' | 'POST',
  url: string,
  who: SignedIn,
  payload?: object,
) => ReturnType<ReturnType<typeof pointCall>>;

/**
 * What the voucher-state tests do at one point for the scene's people: the holder by index,
 * the entitlements the point's operator finds from their card (the first of them alone with
 * `firstEntitlement`), and a redemption of one box of an entitlement by card. `at` answers the
 * scene and the point's calls when a call is made, so a `describe` can take these before its
 * `beforeAll` builds them.
 *
 * @example
 *   const { lookup, redeem } = holderCalls(() => ({ scene, call: point.call }));
 *   const [first] = await lookup(0);
 *   const refused = await redeem(0, first.entitlementId);
 */
export function holderCalls(at: () => { scene: DistributionScene; call: PointCallAt }) {
  const holder = (index: number) => {
    const person = at().scene.people[index];
    if (person === undefined) throw new Error(`the scene has no person ${index}`);
    return person;
  };
  async function lookup(index: number) {
    const { scene, call } = at();
    const response = await call('POST', 'entitlement-lookups', scene.operator, {
      qrText: holder(index).qrText,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().entitlements as { entitlementId: string; state: string }[];
  }
  async function firstEntitlement(index: number) {
    const [answer] = await lookup(index);
    if (answer === undefined) throw new Error('no entitlement answered');
    return answer;
  }
  const redeem = (index: number, entitlementId: string, clientId = randomUUID()) =>
    at().call('POST', 'redemptions', at().scene.operator, {
      clientId,
      qrText: holder(index).qrText,
      entitlementId,
      lines: [{ item: 'food_box', quantity: 1 }],
    });
  return { holder, lookup, firstEntitlement, redeem };
}

/**
 * What the database holds of one redemption attempt: the entitlement's redemptions, the answer
 * kept under the client id, and the point's redemption stock movements. A refused attempt
 * leaves all three empty.
 *
 * @example
 *   expect(await redemptionWrites(kit, { entitlementId, clientId, pointId })).toEqual({
 *     redemptions: [], answers: [], movements: [] });
 */
export async function redemptionWrites(
  kit: AccessTestApp,
  attempt: { entitlementId: string; clientId: string; pointId: string },
) {
  return kit.database.asAdmin(async (admin) => ({
    redemptions: await admin
      .selectFrom('redemption')
      .select('id')
      .where('entitlement_id', '=', attempt.entitlementId)
      .execute(),
    answers: await admin
      .selectFrom('idempotency_record')
      .select('key')
      .where('scope', '=', 'distribution.redeem')
      .where('key', '=', attempt.clientId)
      .execute(),
    movements: await admin
      .selectFrom('stock_movement')
      .select('id')
      .where('point_id', '=', attempt.pointId)
      .where('kind', '=', 'redemption')
      .execute(),
  }));
}
